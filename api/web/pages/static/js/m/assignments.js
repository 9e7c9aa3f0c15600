// 我的任务: the member's assignments in published schedules (GET /me/assignments). Tasks still
// to come are listed first, soonest first, to confirm or decline with a reason; tasks whose
// time is over are folded under 已结束, newest first, and only ask for the hours served
// (POST /me/assignments/{id}/hours). Each card tells where, when, with whom, what to do and
// bring, and whom to call. The household's address and phone appear only on a confirmed wish
// assignment not yet done, exactly as the API hands them out. Below the tasks: the calendar,
// as a file to download or as a private address a calendar app subscribes to
// (GET/POST /me/calendar-feed).

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

/** Still to come (or under way) and still the member's: it can be confirmed or declined. */
function isAhead(row) {
  return OPEN.has(row.status) && !isOver(row);
}

/** The assignment's length in hours, to the nearest half hour, as the form's first guess. */
function plannedHours(row) {
  const hours = (new Date(row.ends_at) - new Date(row.starts_at)) / 3_600_000;
  const halves = Math.round(hours / HOURS_STEP) * HOURS_STEP;
  return Math.min(MAX_HOURS, Math.max(HOURS_STEP, halves));
}

/** A confirmed task that is over and whose hours were never told. */
function waitsForHours(row) {
  return row.status === "confirmed" && isOver(row) && row.hours_requested == null;
}

const byStart = (a, b) => new Date(a.starts_at) - new Date(b.starts_at);

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
  const ahead = rows.filter(isAhead).sort(byStart);
  const past = rows.filter((row) => !isAhead(row)).sort((a, b) => byStart(b, a));
  const owed = past.filter(waitsForHours).length;
  return [
    h("h1", {}, t("assignments.title")),
    ahead.length
      ? h("ul", { class: "cards", "data-test": "upcoming" }, ahead.map((row) => card(row, reload)))
      : h("p", { class: "notice" }, t("assignments.none")),
    past.length
      ? h(
          "details",
          { class: "past-tasks", "data-test": "past" },
          h(
            "summary",
            {},
            t("assignments.past", { n: String(past.length) }),
            owed ? h("span", { class: "badge proposed owed" }, t("assignments.hoursOwed", { n: String(owed) })) : null,
          ),
          h("ul", { class: "cards" }, past.map((row) => card(row, reload))),
        )
      : null,
    calendarSection(),
  ];
}

/** 日历: the file of all tasks, and the private address a calendar app keeps up to date. */
function calendarSection() {
  const body = h("div", { class: "stack" }, h("p", {}, t("common.loading")));
  const show = (feed) => {
    const file = h(
      "button",
      {
        type: "button",
        class: "wide",
        "data-test": "add-to-calendar",
        // the file needs the login token, so the page fetches it and hands it over
        onclick: () => download("/me/assignments.ics", { fallbackName: "tongxin.ics" }),
      },
      t("assignments.calendar"),
    );
    const renew = async () => {
      try {
        show(await api("/me/calendar-feed", { method: "POST" }));
        toast(t(feed.url ? "calendarFeed.renewed" : "calendarFeed.on"));
      } catch (error) {
        toast(error.message, { bad: true });
      }
    };
    if (!feed.url) {
      mount(
        body,
        h("p", { class: "muted" }, t("calendarFeed.hint")),
        h("button", { type: "button", class: "primary wide", "data-test": "feed-on", onclick: renew }, t("calendarFeed.turnOn")),
        file,
      );
      return;
    }
    const address = h("input", {
      type: "text",
      readonly: true,
      value: feed.webcal_url,
      "data-test": "feed-url",
      "aria-label": t("calendarFeed.address"),
      onfocus: (event) => event.target.select(),
    });
    // a new address stops the old one: asked once more on the page itself
    const ask = h(
      "div",
      { class: "stack ask", hidden: true },
      h("p", { class: "notice" }, t("calendarFeed.renewAsk")),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", "data-test": "feed-renew-sure", onclick: renew }, t("calendarFeed.renewSure")),
        h("button", { type: "button", onclick: () => { ask.hidden = true; again.hidden = false; } }, t("common.cancel")),
      ),
    );
    const again = h("button", { type: "button", class: "wide", "data-test": "feed-renew", onclick: () => { ask.hidden = false; again.hidden = true; } }, t("calendarFeed.renew"));
    mount(
      body,
      h("p", { class: "muted" }, t("calendarFeed.private")),
      h("label", {}, t("calendarFeed.address"), address),
      h("a", { class: "button primary wide", href: feed.webcal_url, "data-test": "feed-subscribe" }, t("calendarFeed.subscribe")),
      again,
      ask,
      file,
    );
  };
  api("/me/calendar-feed")
    .then(show)
    .catch((error) => mount(body, h("div", { class: "error" }, error.message)));
  return h("section", { class: "card calendar-feed", "data-test": "calendar" }, h("h2", {}, t("calendarFeed.title")), body);
}

/** A line of the card: its label and what it says, kept as written (line breaks too). */
function fact(label, value, test) {
  return value ? h("div", { class: "fact", "data-test": test }, h("span", { class: "label" }, label), h("span", { class: "value" }, value)) : null;
}

function call(name, phone) {
  return h(
    "div",
    { class: "call" },
    name,
    phone ? [" ", maskPhone(phone), " ", h("a", { class: "button small", href: `tel:${phone}` }, t("assignments.call"))] : null,
  );
}

function card(row, reload) {
  const ahead = isAhead(row);
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
  // a task whose time is over is read-only: nothing to confirm or decline, only the hours
  if (ahead && row.status === "proposed") {
    actions.append(
      h("button", { type: "button", class: "primary", "data-test": "confirm", onclick: () => answer(row, "confirm", undefined, reload) }, t("assignments.confirm")),
    );
  }
  if (ahead) {
    actions.append(
      h("button", { type: "button", class: "danger", "data-test": "decline", onclick: () => { declineForm.hidden = false; actions.hidden = true; reason.focus(); } }, t("assignments.decline")),
    );
  }
  const hoursForm = hoursControl(row, reload);
  // a wish's place is the household's address: the API gives it once the member said yes
  const place = row.place
    ? fact(t("assignments.place"), row.place, "place")
    : row.demand_kind === "wish" && row.status === "proposed" && ahead
      ? h("div", { class: "contact hint", "data-test": "contact-after-confirm" }, t("assignments.contactAfterConfirm"))
      : null;
  const visit = row.beneficiary
    ? h(
        "div",
        { class: "contact", "data-test": "beneficiary" },
        h("strong", {}, t("assignments.visit")),
        call(row.beneficiary.name, row.beneficiary.phone),
      )
    : null;
  const coordinators = row.coordinators || [];
  return h(
    "li",
    { class: `card assignment ${row.status}${ahead ? "" : " over"}`, "data-assignment": row.id },
    h("div", { class: "card-head" },
      h("span", { class: "kind" }, t(`demand.${row.demand_kind}`)),
      h("span", { class: `badge ${row.status}`, "data-test": "status" }, t(`assignment.${row.status}`)),
    ),
    h("h3", {}, row.title),
    h("div", { class: "when" }, span(row.starts_at, row.ends_at)),
    place,
    visit,
    fact(t("assignments.instructions"), row.instructions, "instructions"),
    fact(t("assignments.bring"), row.what_to_bring, "bring"),
    fact(t("assignments.teammates"), (row.teammates || []).join("、"), "teammates"),
    // whom to call is for what is still ahead; a past task needs nobody
    ahead && coordinators.length
      ? h("div", { class: "fact", "data-test": "coordinator" }, h("span", { class: "label" }, t("assignments.coordinator")),
          h("span", { class: "value" }, coordinators.map((c) => call(c.name, c.phone))))
      : null,
    row.hours_served !== null && row.hours_served !== undefined
      ? h("div", { class: "hours-served", "data-test": "hours-served" }, t("assignments.hoursServed", { hours: String(row.hours_served) }))
      : row.hours_requested !== null && row.hours_requested !== undefined
        ? h("div", { class: "hours-requested muted", "data-test": "hours-requested" }, t("assignments.hoursRequested", { hours: String(row.hours_requested) }))
        : null,
    ahead ? actions : null,
    ahead ? declineForm : null,
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
