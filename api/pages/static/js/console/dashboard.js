// 统计 The dashboard: charts drawn by the page from GET /communities/{cid}/dashboard — how
// much of each week was covered, wishes received and fulfilled per month, hours served per
// grid, and how evenly the services are spread across people (with the Gini coefficient).

import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { t } from "../i18n.js";
import { barChart, horizontalBars } from "../charts.js";
import { longDay, number, percent, shortDay } from "../format.js";

const WEEKS = 8;
const MONTHS = 6;

export function render(ctx) {
  const cid = ctx.community.id;
  const root = h("section", { class: "dashboard", "data-page": "dashboard" });
  const body = h("div", { class: "chart-grid" }, h("p", {}, t("common.loading")));
  const asOf = h("span", { class: "muted" });
  mount(root, h("div", { class: "toolbar" }, h("h1", {}, t("nav.dashboard"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)), h("span", { class: "spacer" }), asOf), body);

  api(`/communities/${cid}/dashboard`, { query: { weeks: WEEKS, months: MONTHS } })
    .then((data) => draw(data))
    .catch((error) => mount(body, h("div", { class: "error" }, error.message)));

  function panel(title, note, chart, testName) {
    return h("figure", { class: "card chart-card", "data-chart": testName }, h("figcaption", {}, h("h2", {}, title), note ? h("p", { class: "muted small-text" }, note) : null), chart);
  }

  function draw(data) {
    mount(asOf, t("dashboard.asOf", { day: longDay(data.today) }));
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
        null,
        h("div", {},
          barChart({
            labels: months.map((month) => month.month),
            series: [
              { name: t("dashboard.received"), className: "received", values: months.map((m) => m.received) },
              { name: t("dashboard.fulfilled"), className: "fulfilled", values: months.map((m) => m.fulfilled) },
            ],
            label: t("dashboard.wishes"),
          }),
          h("p", { class: "chart-legend" },
            h("span", { class: "key received" }), t("dashboard.received"),
            h("span", { class: "key fulfilled" }), t("dashboard.fulfilled"),
          ),
        ),
        "wishes",
      ),
      panel(
        t("dashboard.hours"),
        null,
        data.hours_per_grid.length
          ? horizontalBars({
              rows: data.hours_per_grid.map((grid) => ({ label: grid.name, value: grid.hours })),
              format: (value) => number(value, 1),
              label: t("dashboard.hours"),
            })
          : h("p", { class: "muted" }, t("dashboard.noData")),
        "hours",
      ),
      panel(
        t("dashboard.load"),
        t("dashboard.loadNote", { mean: number(load.mean, 1), max: number(load.max), gini: number(load.gini, 2) }),
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
