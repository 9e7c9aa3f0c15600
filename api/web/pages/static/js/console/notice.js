// 公示栏 The week's notice: a grid's published services of a week, by day — what, where, when
// and who by name — laid out for an A4 sheet (console.css, @media print) to put up on the
// grid's notice board. GET /communities/{cid}/weeks/{monday}/notice?grid_id=. Nothing private
// reaches it: a wish is a house call with its category, never a resident's name or address,
// and no phone at all (the API has no field for them).

import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { skillLabel, t, weekdayShort } from "../i18n.js";
import { addDays, clockOf, longDay, mondayOf, shortDay } from "../format.js";
import { go } from "../router.js";
import { storedWeek } from "./board.js";

/** Not a tab of the menu: the week board's 打印公示栏 opens it. */
export const inMenu = false;

export function render(ctx) {
  const cid = ctx.community.id;
  const week = mondayOf(ctx.params.week || storedWeek());
  const gridId = ctx.params.grid || "";
  const root = h("section", { class: "notice-page", "data-page": "notice" });
  const sheet = h("article", { class: "notice-sheet", "data-test": "notice-sheet", "data-state": "loading" }, h("p", {}, t("common.loading")));
  const gridChoice = h("select", { "aria-label": t("common.grid"), "data-test": "notice-grid", onchange: () => go("notice", { week, grid: gridChoice.value }) },
    h("option", { value: "" }, t("notice.wholeCommunity")));
  const weekInput = h("input", { type: "date", value: week, "aria-label": t("board.week"), onchange: (event) => event.target.value && go("notice", { week: mondayOf(event.target.value), grid: gridId }) });

  mount(
    root,
    h("div", { class: "toolbar no-print" },
      h("button", { type: "button", class: "small", "data-test": "notice-back", onclick: () => go("board", { week }) }, t("notice.back")),
      h("h1", {}, t("notice.title")),
      h("span", { class: "spacer" }),
      h("label", { class: "inline" }, t("board.week"), weekInput),
      h("label", { class: "inline" }, t("common.grid"), gridChoice),
      h("button", { type: "button", class: "primary", "data-test": "notice-print", onclick: () => window.print() }, t("notice.print")),
    ),
    h("p", { class: "muted small-text no-print" }, t("notice.hint")),
    sheet,
  );

  function itemRow(item) {
    const wish = item.demand_kind === "wish";
    return h("tr", { "data-kind": item.demand_kind },
      h("td", { class: "notice-time" }, `${clockOf(item.starts_at)}–${clockOf(item.ends_at)}`),
      h("td", {}, wish ? t("notice.houseCall", { category: item.category ? skillLabel(item.category) : t("notice.service") }) : item.title,
        wish ? null : h("span", { class: "notice-kind" }, ` · ${t(`demand.${item.demand_kind}`)}`)),
      h("td", {}, wish ? t("notice.atHome") : item.place || "–"),
      h("td", { class: "notice-people" }, item.people.join("、")),
    );
  }

  function draw(notice) {
    const place = notice.grid_name ? `${notice.community_name} ${notice.grid_name}` : notice.community_name;
    const served = notice.days.reduce((sum, day) => sum + day.items.length, 0);
    sheet.dataset.state = "ready";
    mount(
      sheet,
      h("header", { class: "notice-head" },
        h("h2", {}, t("notice.heading", { place })),
        h("p", {}, t("notice.weekOf", { from: longDay(week), to: shortDay(addDays(week, 6)) })),
      ),
      notice.published_run_id === null
        ? h("p", { class: "notice", "data-test": "notice-unpublished" }, t("notice.unpublished"))
        : h("table", { class: "notice-table" },
            h("thead", {}, h("tr", {},
              h("th", { class: "notice-time" }, t("notice.when")),
              h("th", {}, t("notice.what")),
              h("th", {}, t("notice.where")),
              h("th", {}, t("notice.who")),
            )),
            notice.days.map((day, index) =>
              h("tbody", { class: "notice-day", "data-day": day.day },
                h("tr", { class: "notice-day-head" }, h("th", { colspan: 4 }, `${weekdayShort(index)} ${shortDay(day.day)}`)),
                day.items.length
                  ? day.items.map(itemRow)
                  : h("tr", { class: "notice-none" }, h("td", { colspan: 4 }, t("notice.none"))),
              )),
          ),
      h("footer", { class: "notice-foot" },
        h("p", {}, t("notice.thanks", { n: served })),
        h("p", { class: "muted" }, t("notice.footer")),
      ),
    );
  }

  async function load() {
    try {
      const grids = await api(`/communities/${cid}/grids`).catch(() => []);
      gridChoice.append(...grids.map((grid) => h("option", { value: String(grid.id), selected: String(grid.id) === gridId }, grid.name)));
      draw(await api(`/communities/${cid}/weeks/${week}/notice`, { query: { grid_id: gridId } }));
    } catch (error) {
      sheet.dataset.state = "failed";
      mount(sheet, h("div", { class: "error" }, error.message));
    }
  }

  load();
  return root;
}
