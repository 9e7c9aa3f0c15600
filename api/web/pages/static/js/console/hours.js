// 待认可时长 Hours waiting for approval: hours members logged without check-in
// (GET /communities/{cid}/hours-waiting) — who, which task, when, how long the task was and how
// many hours they logged. 认可 approves the hours in the box (as logged, or adjusted:
// POST /assignments/{id}/hours); 不认可 refuses them with a reason the member is told
// (POST /assignments/{id}/hours/reject). Approved hours count in the dashboard and on the
// quarterly service card.

import { api } from "../api.js";
import { h, mount, toast } from "../dom.js";
import { t } from "../i18n.js";
import { span } from "../format.js";

const MANAGERS = ["street_admin", "coordinator"];

/** Who may open the page (and see its tab). */
export function allowed(me) {
  return MANAGERS.includes(me.role);
}

export function render(ctx) {
  const url = `/communities/${ctx.community.id}/hours-waiting`;
  const root = h("section", { class: "hours-page", "data-page": "hours" });
  const body = h("div", { class: "card", "data-test": "hours-waiting", "data-state": "loading" }, t("common.loading"));
  mount(root,
    h("div", { class: "toolbar" }, h("h1", {}, t("nav.hours"), h("span", { class: "muted" }, ` · ${ctx.community.name}`))),
    h("p", { class: "muted" }, t("hours.intro")),
    body,
  );

  async function act(request, message) {
    try {
      await request();
      toast(message);
      load();
    } catch (error) {
      toast(error.message, { bad: true });
    }
  }

  function row(item) {
    const hours = h("input", { type: "number", min: 0.25, max: 24, step: 0.25, value: item.hours_requested, class: "short", "aria-label": t("hours.approved"), "data-test": "approve-hours" });
    const reason = h("input", { type: "text", maxlength: 500, placeholder: t("hours.reasonHint"), "aria-label": t("hours.reason"), "data-test": "reject-reason" });
    const longer = item.hours_requested > item.task_hours;
    return h("tr", { "data-assignment": item.assignment_id },
      h("td", {}, h("strong", {}, item.person_name)),
      h("td", {}, item.title, h("div", { class: "muted small-text" }, span(item.starts_at, item.ends_at))),
      h("td", { class: "num" }, t("hours.n", { n: item.task_hours })),
      h("td", { class: longer ? "num warn" : "num", "data-test": "hours-requested" }, t("hours.n", { n: item.hours_requested })),
      h("td", {},
        h("div", { class: "actions" },
          hours,
          h("button", { type: "button", class: "primary", "data-test": "approve", onclick: () => {
            const value = Number(hours.value);
            act(() => api(`/assignments/${item.assignment_id}/hours`, { method: "POST", json: { hours: value } }),
              t(value === item.hours_requested ? "hours.approvedToast" : "hours.adjustedToast", { name: item.person_name, n: value }));
          } }, t("hours.approve")),
        ),
        h("div", { class: "actions" },
          reason,
          h("button", { type: "button", class: "danger", "data-test": "reject", onclick: () =>
            act(() => api(`/assignments/${item.assignment_id}/hours/reject`, { method: "POST", json: { reason: reason.value.trim() } }),
              t("hours.rejectedToast", { name: item.person_name })) }, t("hours.reject")),
        ),
      ),
    );
  }

  function show(items) {
    body.dataset.state = items.length ? "ready" : "empty";
    if (!items.length) {
      mount(body, h("p", { class: "muted", "data-test": "hours-none" }, t("hours.none")));
      return;
    }
    mount(body, h("table", { class: "table" },
      h("thead", {}, h("tr", {},
        h("th", {}, t("hours.who")),
        h("th", {}, t("hours.task")),
        h("th", {}, t("hours.taskLength")),
        h("th", {}, t("hours.logged")),
        h("th", {}, t("hours.answer")),
      )),
      h("tbody", {}, items.map(row)),
    ));
  }

  function load() {
    api(url).then(show).catch((error) => {
      body.dataset.state = "failed";
      mount(body, h("div", { class: "error" }, error.message));
    });
  }

  load();
  return root;
}
