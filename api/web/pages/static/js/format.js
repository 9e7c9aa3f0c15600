// Dates, times and numbers as the pages show them. Times are shown in the community's clock
// (its `timezone` from GET /communities; China Standard Time until a page says otherwise);
// calendar dates travel as "YYYY-MM-DD" strings and are computed in UTC so a browser's own
// time zone never shifts a day.

import { lang } from "./i18n.js";

export const DEFAULT_ZONE = "Asia/Shanghai";

let zone = DEFAULT_ZONE;

/** Show times in this IANA zone from now on; an empty or unknown one falls back to China's. */
export function setZone(name) {
  zone = DEFAULT_ZONE;
  if (!name) return zone;
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    zone = name;
  } catch {
    // a zone this browser does not know: China time is the best guess for a Chinese community
  }
  return zone;
}

function locale() {
  return lang() === "en" ? "en-GB" : "zh-CN";
}

/** "2026-03-02" → a Date at UTC midnight. */
export function parseDay(day) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date));
}

/** A Date → "2026-03-02" (its UTC calendar day). */
export function dayString(moment) {
  return moment.toISOString().slice(0, 10);
}

export function addDays(day, days) {
  const moment = parseDay(day);
  moment.setUTCDate(moment.getUTCDate() + days);
  return dayString(moment);
}

/** 0 = Monday … 6 = Sunday, of a "YYYY-MM-DD" day. */
export function weekdayOf(day) {
  return (parseDay(day).getUTCDay() + 6) % 7;
}

/** The Monday on or before a day. */
export function mondayOf(day) {
  return addDays(day, -weekdayOf(day));
}

/** Today in the community's clock. */
export function today() {
  return localDayOf(new Date());
}

/** "3月2日" / "2 Mar". */
export function shortDay(day) {
  return new Intl.DateTimeFormat(locale(), { month: "short", day: "numeric", timeZone: "UTC" })
    .format(parseDay(day));
}

/**
 * A deadline, written one way everywhere on the pages: "3月4日前" / "by 4 Mar" (the last day
 * the service may be done).
 */
export function deadline(day) {
  return lang() === "en" ? `by ${shortDay(day)}` : `${shortDay(day)}前`;
}

/** "2026年3月2日" / "2 Mar 2026". */
export function longDay(day) {
  return new Intl.DateTimeFormat(locale(), {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  }).format(parseDay(day));
}

/** A moment (ISO string) → "19:00" in the community's clock. */
export function clockOf(moment) {
  return new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone: zone,
  }).format(new Date(moment));
}

/** A moment → its "YYYY-MM-DD" in the community's clock. */
export function localDayOf(moment) {
  return new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: zone,
  }).format(new Date(moment));
}

/** "3月2日 周一 19:00–21:00". */
export function span(startsAt, endsAt) {
  const day = localDayOf(startsAt);
  const weekday = new Intl.DateTimeFormat(locale(), { weekday: "short", timeZone: zone })
    .format(new Date(startsAt));
  return `${shortDay(day)} ${weekday} ${clockOf(startsAt)}–${clockOf(endsAt)}`;
}

export function metres(value) {
  if (value === null || value === undefined) return "–";
  return value >= 1000 ? `${(value / 1000).toFixed(1)} km` : `${Math.round(value)} m`;
}

export function number(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return new Intl.NumberFormat(locale(), {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
}

export function percent(ratio) {
  if (ratio === null || ratio === undefined) return "–";
  return `${Math.round(ratio * 100)}%`;
}
