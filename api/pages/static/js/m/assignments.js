// 我的任务: the member's assignments in published schedules (GET /me/assignments), to confirm
// or decline with a reason, and the whole list as a calendar file. The household's address
// and phone appear only on an open wish assignment, exactly as the API hands them out.

import { api, fetchFile } from "../api.js";
import { h, maskPhone, mount, saveBlob, toast } from "../dom.js";
import { t } from "../i18n.js";
import { span } from "../format.js";

const OPEN = new Set(["proposed", "confirmed"]);

export function render() {
  const root = h("section", { class: "stack", "data-page": "assignments" }, h("p", {}, t("common.loading")));
  const load = () =>
    api("/me/assignments")
      .then((rows) => mount(root, ...page(rows, load)))
      .catch((error) => mount(root, h("div", { class: "error" }, error.message)));
  load();
  return root;
}

function page(rows, reload) {
  const calendar = h(
    "button",
    {
      type: "button",
      class: "wide",
      "data-test": "add-to-calendar",
      onclick: async () => {
        try {
          // the feed needs the login token, so the page fetches it and hands over the file
          const { blob, filename } = await fetchFile("/me/assignments.ics", { fallbackName: "tongxin.ics" });
          saveBlob(blob, filename);
        } catch (error) {
          toast(error.message, { bad: true });
        }
      },
    },
    t("assignments.calendar"),
  );
  const upcoming = rows.filter((row) => OPEN.has(row.status));
  const others = rows.filter((row) => !OPEN.has(row.status));
  return [
    h("h1", {}, t("assignments.title")),
    calendar,
    upcoming.length
      ? h("ul", { class: "cards" }, upcoming.map((row) => card(row, reload)))
      : h("p", { class: "notice" }, t("assignments.none")),
    others.length ? h("h2", {}, t("assignments.past")) : null,
    others.length ? h("ul", { class: "cards" }, others.map((row) => card(row, reload))) : null,
  ];
}

function card(row, reload) {
  const actions = h("div", { class: "actions" });
  const reason = h("textarea", { rows: 2, maxlength: 500, name: "reason", placeholder: t("assignments.reasonHint") });
  const declineForm = h(
    "form",
    {
      class: "stack decline-form",
      hidden: true,
      onsubmit: async (event) => {
        event.preventDefault();
        await answer(row, "decline", { reason: reason.value.trim() }, reload);
      },
    },
    h("label", {}, t("assignments.reason"), reason),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "danger" }, t("assignments.sendDecline")),
      h("button", { type: "button", onclick: () => { declineForm.hidden = true; actions.hidden = false; } }, t("common.cancel")),
    ),
  );
  if (row.status === "proposed") {
    actions.append(
      h("button", { type: "button", class: "primary", "data-test": "confirm", onclick: () => answer(row, "confirm", undefined, reload) }, t("assignments.confirm")),
    );
  }
  if (OPEN.has(row.status)) {
    actions.append(
      h("button", { type: "button", class: "danger", "data-test": "decline", onclick: () => { declineForm.hidden = false; actions.hidden = true; reason.focus(); } }, t("assignments.decline")),
    );
  }
  const contact = row.beneficiary
    ? h(
        "div",
        { class: "contact" },
        h("div", {}, h("strong", {}, t("assignments.visit")), " ", row.beneficiary.name),
        row.beneficiary.address ? h("div", {}, t("assignments.address"), "：", row.beneficiary.address) : null,
        row.beneficiary.phone
          ? h("div", {}, t("assignments.phone"), "：", maskPhone(row.beneficiary.phone), " ",
              h("a", { class: "button small", href: `tel:${row.beneficiary.phone}` }, t("assignments.call")))
          : null,
      )
    : null;
  return h(
    "li",
    { class: `card assignment ${row.status}`, "data-assignment": row.id },
    h("div", { class: "card-head" },
      h("span", { class: "kind" }, t(`demand.${row.demand_kind}`)),
      h("span", { class: `badge ${row.status}`, "data-test": "status" }, t(`assignment.${row.status}`)),
    ),
    h("h3", {}, row.title),
    h("div", { class: "when" }, span(row.starts_at, row.ends_at)),
    row.place ? h("div", { class: "muted" }, row.place) : null,
    contact,
    actions,
    declineForm,
  );
}

async function answer(row, verb, body, reload) {
  try {
    await api(`/me/assignments/${row.id}/${verb}`, { method: "POST", json: body });
    toast(t(verb === "confirm" ? "assignments.confirmed" : "assignments.declined"));
    await reload();
  } catch (error) {
    toast(error.message, { bad: true });
  }
}
