// Building the page from data without HTML strings: every text goes in as text, so a name or
// a wish typed by a resident can never become markup.

import { t } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(element, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.setAttribute("class", value);
    else if (key === "text") element.textContent = String(value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key === "style") Object.assign(element.style, value);
    else if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "value" && "value" in element) element.value = value;
    else if (key === "checked" || key === "disabled" || key === "selected") {
      element[key] = Boolean(value);
    } else element.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: h("button", {class: "primary", onclick}, "保存"). */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  apply(element, props);
  append(element, children);
  return element;
}

/** An SVG element, for the drawings of the map and the dashboard. */
export function s(tag, props = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, props);
  append(element, children);
  return element;
}

/** Replace what an element shows. */
export function mount(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A <select> with its options: [[value, label], …]. */
export function select(props, options, chosen) {
  const element = h("select", props);
  for (const [value, label] of options) {
    element.append(h("option", { value: String(value), selected: String(value) === String(chosen) }, label));
  }
  return element;
}

/**
 * ‹ 1–50 of 120 › under a paged table: ``page`` is the API's {total}; ``turn(offset)`` shows
 * another page. Nothing when everything fits on one.
 */
export function pager(page, { offset, size, turn }) {
  if (page.total <= size) return null;
  return h("div", { class: "pager" },
    h("button", { type: "button", class: "small", disabled: offset === 0, onclick: () => turn(offset - size) }, t("common.prev")),
    h("span", { class: "muted" }, t("common.pageOf", { from: offset + 1, to: Math.min(offset + size, page.total), total: page.total })),
    h("button", { type: "button", class: "small", disabled: offset + size >= page.total, onclick: () => turn(offset + size) }, t("common.next")),
  );
}

/** How long a message stays: an error longer, so there is time to read it. */
const TOAST_MS = 4000;
const ERROR_TOAST_MS = 10_000;
/** More would cover the page they talk about: the oldest makes way. */
const MOST_TOASTS = 3;

/**
 * A short message at the bottom of the screen that leaves by itself. An error (``bad``) stays
 * longer and can be closed; at most three are shown, and a new page starts without them.
 */
export function toast(message, { bad = false, ms = bad ? ERROR_TOAST_MS : TOAST_MS } = {}) {
  let area = document.querySelector(".toast-area");
  if (!area) {
    area = h("div", { class: "toast-area", role: "status" });
    document.body.append(area);
  }
  const note = h("div", { class: bad ? "toast bad" : "toast", role: bad ? "alert" : null }, h("span", { class: "toast-text" }, message));
  const timer = setTimeout(() => note.remove(), ms);
  if (bad) {
    note.append(h("button", { type: "button", class: "toast-close", "aria-label": t("common.close"), "data-test": "toast-close", onclick: () => {
      clearTimeout(timer);
      note.remove();
    } }, "×"));
  }
  area.append(note);
  while (area.children.length > MOST_TOASTS) area.firstElementChild.remove();
}

/** Take every message off the screen (a new page has nothing to say about the last one's). */
export function clearToasts() {
  const area = document.querySelector(".toast-area");
  if (area) area.replaceChildren();
}

/** Hand the browser a file made or fetched by the page (an export, the calendar). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Mask all but the first three and last four digits of a phone number. */
export function maskPhone(phone) {
  if (!phone) return "";
  const digits = String(phone);
  if (digits.includes("*") || digits.length < 8) return digits;
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}
