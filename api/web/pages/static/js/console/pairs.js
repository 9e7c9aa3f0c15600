// 结对 Standing pairs (结对帮扶): the must-visit households and the party member who looks
// after each. 重新推荐 runs the pairing (near home, skills that suit, keeping the pairs that
// stand, no member over the limit); each proposed pair shows why, and 确认 makes it the
// household's pair, which then owes visits; 走访记录 lists every visit of a household. The
// households left without a pair say why. Coordinators and street admins only.

import { api } from "../api.js";
import { h, mount, toast } from "../dom.js";
import { metres } from "../format.js";
import { pick, t } from "../i18n.js";

/** Street admins and coordinators manage pairs; a grid leader does not. */
export function allowed(me) {
  return me.role === "coordinator" || me.role === "street_admin";
}

export function render(ctx) {
  const cid = ctx.community.id;
  const root = h("section", { class: "pairs", "data-page": "pairs" });
  const summary = h("div", { class: "card stack", "data-test": "pairs-summary" });
  const list = h("div", { class: "card stack", "data-test": "pairs-list" }, h("p", {}, t("common.loading")));
  const history = h("div", { class: "card stack", "data-test": "visit-history", hidden: true });
  const proposeButton = h("button", { type: "button", class: "primary", "data-test": "propose", onclick: propose }, t("pairs.propose"));
  let unpairedReasons = new Map();

  mount(
    root,
    h("div", { class: "toolbar" },
      h("h1", {}, t("nav.pairs"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)),
      h("span", { class: "spacer" }),
      proposeButton,
    ),
    h("p", { class: "muted" }, t("pairs.intro")),
    summary,
    list,
    history,
  );
  mount(summary, h("p", { class: "muted" }, t("pairs.noRun")));

  async function propose() {
    proposeButton.disabled = true;
    try {
      const run = await api(`/communities/${cid}/pairs/propose`, { method: "POST" });
      unpairedReasons = new Map(run.unpaired.map((u) => [u.household_id, u.reason]));
      mount(
        summary,
        h("p", { "data-test": "run-figures" },
          t("pairs.figures", { needing: run.needing, paired: run.paired, seconds: run.wall_time_s.toFixed(2) }),
        ),
        h("p", { class: "muted small-text" }, run.gap === 0 ? t("pairs.best") : t("pairs.nearBest")),
      );
      toast(t("pairs.proposed", { n: run.pairs.filter((p) => p.status === "proposed").length }));
    } catch (error) {
      toast(error.message, { bad: true });
    } finally {
      proposeButton.disabled = false;
    }
    load();
  }

  async function confirm(pair) {
    try {
      await api(`/communities/${cid}/pairs/${pair.id}/confirm`, { method: "POST" });
      toast(t("pairs.confirmed", { household: pair.household.name, member: pair.person_name }));
    } catch (error) {
      toast(error.message, { bad: true });
    }
    load();
  }

  async function end(pair) {
    try {
      await api(`/communities/${cid}/pairs/${pair.id}/end`, { method: "POST" });
      toast(t("pairs.ended", { household: pair.household.name }));
    } catch (error) {
      toast(error.message, { bad: true });
    }
    load();
  }

  async function showHistory(household) {
    history.hidden = false;
    mount(history, h("p", {}, t("common.loading")));
    let visits;
    try {
      visits = await api(`/communities/${cid}/households/${household.id}/visits`);
    } catch (error) {
      mount(history, h("div", { class: "error" }, error.message));
      return;
    }
    mount(
      history,
      h("h2", {}, t("pairs.historyOf", { household: household.name })),
      visits.length
        ? h("table", {},
          h("thead", {}, h("tr", {},
            h("th", {}, t("pairs.due")),
            h("th", {}, t("pairs.member")),
            h("th", {}, t("pairs.status")),
            h("th", {}, t("pairs.visitedBy")),
          )),
          h("tbody", {}, visits.map((visit) =>
            h("tr", { "data-visit": visit.visit_id },
              h("td", {}, visit.due_on),
              h("td", {}, visit.paired_member),
              h("td", {}, h("span", { class: `badge ${visit.status}` }, t(`wish.${visit.status}`))),
              h("td", {}, visit.visited_by || "–"),
            ),
          )),
        )
        : h("p", { class: "muted", "data-test": "no-visits" }, t("pairs.noVisits")),
    );
  }

  function pairRow(pair) {
    const actions = [];
    if (pair.status === "proposed") {
      actions.push(h("button", { type: "button", class: "small primary", "data-test": "confirm", onclick: () => confirm(pair) }, t("pairs.confirm")));
    }
    actions.push(h("button", { type: "button", class: "small", "data-test": "end", onclick: () => end(pair) }, pair.status === "proposed" ? t("pairs.drop") : t("pairs.end")));
    actions.push(h("button", { type: "button", class: "small", "data-test": "history", onclick: () => showHistory(pair.household) }, t("pairs.history")));
    return h("tr", { "data-pair": pair.id, "data-status": pair.status },
      h("td", {}, pair.household.name, h("div", { class: "muted small-text" }, pair.household.situations.map((s) => t(`situation.${s}`)).join("、"))),
      h("td", {}, pair.person_name),
      h("td", { class: "num" }, metres(pair.distance_m)),
      h("td", {}, h("ul", { class: "reasons" }, pair.reasons.map((r) => h("li", {}, pick(r))))),
      h("td", {}, h("span", { class: `badge ${pair.status}` }, t(`pairs.status.${pair.status}`))),
      h("td", { class: "actions" }, actions),
    );
  }

  async function load() {
    let data;
    try {
      data = await api(`/communities/${cid}/pairs`);
    } catch (error) {
      mount(list, h("div", { class: "error" }, error.message));
      return;
    }
    const unpaired = data.unpaired.filter((household) => !data.pairs.some((p) => p.household.id === household.id));
    mount(
      list,
      h("h2", {}, t("pairs.listTitle", { n: data.pairs.length })),
      data.pairs.length
        ? h("table", { "data-test": "pairs-table" },
          h("thead", {}, h("tr", {},
            h("th", {}, t("pairs.household")),
            h("th", {}, t("pairs.member")),
            h("th", { class: "num" }, t("pairs.distance")),
            h("th", {}, t("pairs.reasons")),
            h("th", {}, t("pairs.status")),
            h("th", {}, ""),
          )),
          h("tbody", {}, data.pairs.map(pairRow)),
        )
        : h("p", { class: "muted" }, t("pairs.none")),
      h("h2", {}, t("pairs.unpairedTitle", { n: unpaired.length })),
      unpaired.length
        ? h("ul", { class: "unpaired", "data-test": "unpaired" }, unpaired.map((household) =>
          h("li", { "data-household": household.id },
            h("strong", {}, household.name), " ",
            h("span", { class: "muted" }, household.situations.map((s) => t(`situation.${s}`)).join("、")),
            unpairedReasons.has(household.id) ? h("div", { class: "small-text" }, pick(unpairedReasons.get(household.id))) : null,
          ),
        ))
        : h("p", { class: "muted" }, t("pairs.allPaired")),
    );
  }

  load();
  return root;
}
