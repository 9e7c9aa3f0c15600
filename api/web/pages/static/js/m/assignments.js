// 我的任务: the member's assignments in published schedules (GET /me/assignments), to confirm
// or decline with a reason, to log the hours served once a confirmed one is over
// (POST /me/assignments/{id}/hours), and the whole list as a calendar file. The household's
// address and phone appear only on an open wish assignment, exactly as the API hands them out.

import { api, download } from "../api.js";
import { h, maskPhone, mount, toast } from "../dom.js";
import { t } from "../i18n.js";
import { span } from "../format.js";

const OPEN = new Set(["proposed", "confirmed"]);
/** The API takes 0 < hours ≤ 24; the form counts in half hours. */
const HOURS_STEP = 0.5;
const MAX_HOURS = 24;

/** Over: its end has passed, so the hours served can be told. */
function isOver(row) {
  return new Date(row.ends_at).getTime() <= Date.now();
}

/** The assignment's length in hours, to the nearest half hour, as the form's first guess. */
function plannedHours(row) {
  const hours = (new Date(row.ends_at) - new Date(row.starts_at)) / 3_600_000;
  const halves = Math.round(hours / HOURS_STEP) * HOURS_STEP;
  return Math.min(MAX_HOURS, Math.max(HOURS_STEP, halves));
}

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
      // the feed needs the login token, so the page fetches it and hands over the file
      onclick: () => download("/me/assignments.ics", { fallbackName: "tongxin.ics" }),
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
  // once a confirmed assignment is over there is nothing left to decline: the hours are asked
  const hoursForm = hoursControl(row, reload);
  if (OPEN.has(row.status) && !(row.status === "confirmed" && isOver(row))) {
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
    : row.demand_kind === "wish" && row.status === "proposed"
      ? h("div", { class: "contact hint", "data-test": "contact-after-confirm" }, t("assignments.contactAfterConfirm"))
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
    row.hours_served !== null && row.hours_served !== undefined
      ? h("div", { class: "hours-served", "data-test": "hours-served" }, t("assignments.hoursServed", { hours: String(row.hours_served) }))
      : row.hours_requested !== null && row.hours_requested !== undefined
        ? h("div", { class: "hours-requested muted", "data-test": "hours-requested" }, t("assignments.hoursRequested", { hours: String(row.hours_requested) }))
        : null,
    actions,
    declineForm,
    hoursForm,
  );
}

/** 登记服务时长: on a confirmed assignment that is over, or to correct hours already given
 * (served, or waiting for the coordinator because there was no check-in). */
function hoursControl(row, reload) {
  const requested = row.hours_requested !== null && row.hours_requested !== undefined;
  const correcting = row.status === "done" || requested;
  if (!(correcting || (row.status === "confirmed" && isOver(row)))) return null;
  const hours = h("input", {
    type: "number",
    name: "hours",
    inputmode: "decimal",
    min: HOURS_STEP,
    max: MAX_HOURS,
    step: HOURS_STEP,
    required: true,
    value: String(row.hours_served || row.hours_requested || plannedHours(row)),
  });
  const form = h(
    "form",
    {
      class: "stack hours-form",
      "data-test": "hours-form",
      hidden: correcting,
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const saved = await api(`/me/assignments/${row.id}/hours`, { method: "POST", json: { hours: Number(hours.value) } });
          // without a check-in the hours wait for the coordinator's approval
          toast(saved.hours_served !== null && saved.hours_served !== undefined
            ? t("assignments.hoursLogged", { hours: String(saved.hours_served) })
            : t("assignments.hoursRequestedToast", { hours: String(saved.hours_requested) }));
          await reload();
        } catch (error) {
          toast(error.message, { bad: true });
        }
      },
    },
    h("label", {}, t("assignments.hours"), hours),
    h("button", { type: "submit", class: "primary", "data-test": "log-hours" }, t("assignments.logHours")),
  );
  if (!correcting) return form;
  const edit = h("button", { type: "button", class: "small", "data-test": "edit-hours", onclick: () => {
    form.hidden = false;
    edit.hidden = true;
    hours.focus();
  } }, t("assignments.editHours"));
  return h("div", { class: "hours" }, edit, form);
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
