// 操作记录 The community's audit log, from GET /communities/{cid}/audit: who did what and
// when, and the reason given — overrides (破例指派, pins, forbids), changes by hand, publishes
// and edits — newest first, filtered by kind and by who, 50 a page.

import { api } from "../api.js";
import { h, mount, pager, select } from "../dom.js";
import { t } from "../i18n.js";

const MANAGERS = ["street_admin", "coordinator"];
const KINDS = ["", "override", "by_hand", "publish", "edit"];
const PAGE_SIZE = 50;

/** Who may open the page (and see its tab). */
export function allowed(me) {
  return MANAGERS.includes(me.role);
}

/** An action in words; an action the page has no name for is shown as it is. */
function actionText(action) {
  const key = `audit.action.${action}`;
  const text = t(key);
  return text === key ? action : text;
}

function when(iso) {
  const moment = new Date(iso);
  return moment.toLocaleString(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

export function render(ctx) {
  const url = `/communities/${ctx.community.id}/audit`;
  const state = { kind: "", actor: "", offset: 0 };
  const root = h("section", { class: "audit-page", "data-page": "audit" });
  const kind = select({ "aria-label": t("audit.kind"), "data-test": "audit-kind", onchange: () => { state.kind = kind.value; state.offset = 0; load(); } },
    KINDS.map((k) => [k, t(`audit.kind.${k || "all"}`)]), "");
  const actor = h("input", { type: "search", placeholder: t("audit.actorHint"), "aria-label": t("audit.actor"), "data-test": "audit-actor",
    onchange: () => { state.actor = actor.value.trim(); state.offset = 0; load(); } });
  const list = h("div", { class: "card", "data-test": "audit", "data-state": "loading" });
  mount(root,
    h("div", { class: "toolbar" },
      h("h1", {}, t("nav.audit"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)),
      h("span", { class: "spacer" }),
      h("label", { class: "inline" }, t("audit.kind"), kind),
      h("label", { class: "inline" }, t("audit.actor"), actor),
    ),
    list,
  );

  async function load() {
    list.dataset.state = "loading";
    let page;
    try {
      page = await api(url, { query: { kind: state.kind || undefined, actor: state.actor || undefined, limit: PAGE_SIZE, offset: state.offset } });
    } catch (error) {
      list.dataset.state = "failed";
      mount(list, h("div", { class: "error" }, error.message));
      return;
    }
    list.dataset.state = "ready";
    mount(list,
      page.items.length
        ? h("table", { class: "audit-table" },
            h("thead", {}, h("tr", {}, h("th", {}, t("audit.when")), h("th", {}, t("audit.who")), h("th", {}, t("audit.what")), h("th", {}, t("audit.reason")))),
            h("tbody", {}, page.items.map((entry) =>
              h("tr", { "data-action": entry.action },
                h("td", {}, when(entry.at)),
                h("td", {}, entry.actor || t("audit.system")),
                h("td", {}, actionText(entry.action)),
                h("td", {}, entry.reason),
              ))))
        : h("p", { class: "muted" }, t("audit.none")),
      pager(page, { offset: state.offset, size: PAGE_SIZE, turn: (offset) => { state.offset = offset; load(); } }),
    );
  }

  load();
  return root;
}
