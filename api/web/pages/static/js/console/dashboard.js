// 统计 The dashboard: charts drawn by the page from GET /communities/{cid}/dashboard — how
// much of each week was covered, wishes received, due and fulfilled per month, hours served per
// grid, and how evenly the services are spread across people (the mean and the most any one person has).
// 截至 picks the day the charts end with (#/dashboard?until=2026-03-08): by default today, or
// the end of the week last picked on the board, so a week planned ahead or gone by shows.

import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { t } from "../i18n.js";
import { barChart, horizontalBars } from "../charts.js";
import { addDays, mondayOf, number, percent, shortDay, today } from "../format.js";
import { go } from "../router.js";
import { rememberedWeek } from "./board.js";

const WEEKS = 8;
const MONTHS = 6;
/** The API answers for dates at most this many years from today. */
const UNTIL_YEARS = 5;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The day the charts end with when none is asked for: today, or the Sunday of the week the
 * board was last on when that is another week. */
export function defaultUntil() {
  const now = today();
  const week = rememberedWeek();
  if (!week || !DAY.test(week) || mondayOf(week) === mondayOf(now)) return now;
  return addDays(mondayOf(week), 6);
}

function yearsFrom(day, years) {
  return `${String(Number(day.slice(0, 4)) + years).padStart(4, "0")}${day.slice(4)}`;
}

export function render(ctx) {
  const cid = ctx.community.id;
  const until = DAY.test(ctx.params.until || "") ? ctx.params.until : defaultUntil();
  const root = h("section", { class: "dashboard", "data-page": "dashboard" });
  const body = h("div", { class: "chart-grid" }, h("p", {}, t("common.loading")));
  const untilInput = h("input", {
    type: "date",
    value: until,
    "aria-label": t("dashboard.until"),
    min: yearsFrom(today(), -UNTIL_YEARS),
    max: yearsFrom(today(), UNTIL_YEARS),
    "data-test": "until",
    onchange: (event) => event.target.value && go("dashboard", { until: event.target.value }),
  });
  mount(
    root,
    h("div", { class: "toolbar" },
      h("h1", {}, t("nav.dashboard"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)),
      h("span", { class: "spacer" }),
      h("label", { class: "inline" }, t("dashboard.until"), untilInput),
      h("button", { type: "button", class: "small", "data-test": "until-today", onclick: () => go("dashboard", { until: today() }) }, t("dashboard.today")),
    ),
    body,
  );

  api(`/communities/${cid}/dashboard`, { query: { weeks: WEEKS, months: MONTHS, until } })
    .then((data) => draw(data))
    .catch((error) => mount(body, h("div", { class: "error" }, error.message)));

  function panel(title, note, chart, testName) {
    return h("figure", { class: "card chart-card", "data-chart": testName }, h("figcaption", {}, h("h2", {}, title), note ? h("p", { class: "muted small-text" }, note) : null), chart);
  }

  function draw(data) {
    body.dataset.until = data.until;
    const coverage = data.weekly_coverage;
    const months = data.wishes_per_month;
    const load = data.load;
    mount(
      body,
      panel(
        t("dashboard.coverage"),
        t("dashboard.coverageNote", { weeks: coverage.length }),
        h("div", {},
          coverage.every((week) => week.ratio === null)
            ? h("p", { class: "muted chart-empty" }, t("dashboard.noPublished"))
            : null,
          barChart({
            labels: coverage.map((week) => shortDay(week.week_start)),
            series: [{ name: t("dashboard.covered"), className: "coverage", values: coverage.map((week) => week.ratio || 0) }],
            max: 1,
            format: percent,
            label: t("dashboard.coverage"),
          }),
        ),
        "coverage",
      ),
      panel(
        t("dashboard.wishes"),
        t("dashboard.wishesNote"),
        h("div", {},
          barChart({
            labels: months.map((month) => month.month),
            series: [
              { name: t("dashboard.received"), className: "received", values: months.map((m) => m.received) },
              { name: t("dashboard.due"), className: "due", values: months.map((m) => m.due) },
              { name: t("dashboard.fulfilled"), className: "fulfilled", values: months.map((m) => m.fulfilled) },
            ],
            label: t("dashboard.wishes"),
          }),
          h("p", { class: "chart-legend" },
            h("span", { class: "key received" }), t("dashboard.received"),
            h("span", { class: "key due" }), t("dashboard.due"),
            h("span", { class: "key fulfilled" }), t("dashboard.fulfilled"),
          ),
        ),
        "wishes",
      ),
      panel(
        t("dashboard.hours"),
        data.hours_per_grid.some((grid) => grid.hours > 0 || grid.planned_hours > 0) ? null : t("dashboard.noHours"),
        data.hours_per_grid.length
          ? h("div", { class: "hours-pair" },
              h("h3", {}, t("dashboard.plannedHours")),
              horizontalBars({
                rows: data.hours_per_grid.map((grid) => ({ label: grid.name, value: grid.planned_hours })),
                format: (value) => number(value, 1),
                label: t("dashboard.plannedHours"),
              }),
              h("h3", {}, t("dashboard.servedHours")),
              horizontalBars({
                rows: data.hours_per_grid.map((grid) => ({ label: grid.name, value: grid.hours })),
                format: (value) => number(value, 1),
                label: t("dashboard.servedHours"),
              }),
            )
          : h("p", { class: "muted" }, t("dashboard.noData")),
        "hours",
      ),
      panel(
        t("dashboard.load"),
        t("dashboard.loadNote", { mean: number(load.mean, 1), max: number(load.max) }),
        barChart({
          labels: load.buckets.map((bucket) => String(bucket.services)),
          series: [{ name: t("dashboard.people"), className: "load", values: load.buckets.map((bucket) => bucket.people) }],
          label: t("dashboard.load"),
        }),
        "load",
      ),
    );
  }

  return root;
}
