// Calls to the JSON API (/api/v1): the login token from sessionStorage on every call, the
// chosen language in Accept-Language (so errors come back in it), and one error type.
// A 401 forgets the token and hands control to the page's login screen.

import { saveBlob, toast } from "./dom.js";
import { lang, t } from "./i18n.js";

export const API = "/api/v1";
const TOKEN_KEY = "tongxin.token";

let onUnauthorized = () => {};

// One request at a time per page: a page never races itself, so two of its own writes never
// meet in the database (SQLite, the default, takes one writer at a time), and answers arrive
// in the order the page asked.
let queue = Promise.resolve();

function inTurn(task) {
  const turn = queue.then(task, task);
  queue = turn.catch(() => {});
  return turn;
}

/** What to do when the API says the login is missing or expired. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An API answer other than success. ``rows`` holds a roster import's bad rows. */
export class ApiError extends Error {
  constructor(status, detail, body) {
    super(describe(status, detail));
    this.status = status;
    this.detail = detail;
    this.body = body || {};
    this.rows = Array.isArray(this.body.rows) ? this.body.rows : [];
  }
}

function describe(status, detail) {
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail) && detail.length) {
    return detail
      .map((item) => (item.field ? `${item.field}: ${item.msg}` : item.msg || JSON.stringify(item)))
      .join("\n");
  }
  if (status === 0) return t("error.network");
  return t("error.status", { status });
}

function headers(extra = {}, auth = true) {
  const result = { "Accept-Language": lang() === "en" ? "en" : "zh-CN", ...extra };
  const current = token();
  if (auth && current) result.Authorization = `Bearer ${current}`;
  return result;
}

function url(path, query) {
  const target = new URL(API + path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(key, value);
  }
  return target.pathname + target.search;
}

async function send(path, { method = "GET", json, form, query, auth = true } = {}) {
  const extra = {};
  let body;
  if (json !== undefined) {
    extra["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form; // FormData (files) or URLSearchParams (login): the browser sets the type
  }
  let response;
  try {
    response = await fetch(url(path, query), { method, headers: headers(extra, auth), body });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 401 && auth) {
    forgetToken();
    onUnauthorized();
  }
  if (!response.ok) {
    let payload = {};
    try {
      payload = await response.json();
    } catch {
      payload = {};
    }
    throw new ApiError(response.status, payload.detail, payload);
  }
  return response;
}

/** Call the API and return its JSON (null for an empty answer). */
export function api(path, options = {}) {
  return inTurn(async () => {
    const response = await send(path, options);
    if (response.status === 204) return null;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  });
}

/** Fetch a file with the login token: {blob, filename}. */
function fetchFile(path, { query, fallbackName = "download" } = {}) {
  return inTurn(async () => {
    const response = await send(path, { query });
    const disposition = response.headers.get("Content-Disposition") || "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    const plain = /filename="?([^";]+)"?/i.exec(disposition);
    const filename = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallbackName;
    return { blob: await response.blob(), filename };
  });
}

/**
 * Fetch a file the token protects (an export, the roster template, the calendar feed) and
 * hand it to the browser as a download; a failure is shown as a message.
 */
export async function download(path, { query, fallbackName } = {}) {
  try {
    const { blob, filename } = await fetchFile(path, { query, fallbackName });
    saveBlob(blob, filename);
  } catch (error) {
    toast(error.message, { bad: true });
  }
}

/** The OAuth2 password flow: keep the token for this browser tab. */
export function logIn(username, password) {
  return inTurn(async () => {
    const form = new URLSearchParams({ username, password });
    const response = await send("/auth/token", { method: "POST", form, auth: false });
    const answer = await response.json();
    sessionStorage.setItem(TOKEN_KEY, answer.access_token);
    return answer;
  });
}
