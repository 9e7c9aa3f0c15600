// 工作单位 Work units: the units members work at, each with the contact their quarterly service
// card (服务登记卡) goes to by e-mail. One list for every community (a unit's staff live in many);
// the e-mail is only ever shown masked. 添加 adds a unit (POST /work-units); 修改 corrects its
// name or contact, or stops offering it at registration (PATCH /work-units/{id}).

import { api } from "../api.js";
import { h, mount, toast } from "../dom.js";
import { t } from "../i18n.js";

const MANAGERS = ["street_admin", "coordinator"];

/** Who may open the page (and see its tab). */
export function allowed(me) {
  return MANAGERS.includes(me.role);
}

export function render() {
  const root = h("section", { class: "units-page", "data-page": "units" });
  const list = h("div", { class: "card", "data-test": "units", "data-state": "loading" }, t("common.loading"));
  const editor = h("div", { class: "card stack" });
  mount(root,
    h("div", { class: "toolbar" }, h("h1", {}, t("nav.units"))),
    h("p", { class: "muted" }, t("units.intro")),
    editor,
    list,
  );

  /** The form for a new unit, or for correcting ``unit``. */
  function form(unit) {
    const name = h("input", { type: "text", required: true, maxlength: 200, value: unit ? unit.name : "", "data-test": "unit-name" });
    const contact = h("input", { type: "text", maxlength: 100, value: unit ? unit.contact_name : "", "data-test": "unit-contact" });
    const email = h("input", { type: "email", maxlength: 254, placeholder: unit && unit.contact_email_masked ? unit.contact_email_masked : "dangban@example.com", "data-test": "unit-email" });
    const active = h("input", { type: "checkbox", checked: unit ? unit.active : true });
    const problem = h("p", { class: "error", hidden: true });
    mount(editor,
      h("h2", {}, unit ? t("units.edit", { name: unit.name }) : t("units.add")),
      h("form", { class: "stack", onsubmit: async (event) => {
        event.preventDefault();
        problem.hidden = true;
        const json = { name: name.value.trim() };
        if (contact.value.trim()) json.contact_name = contact.value.trim();
        if (email.value.trim()) json.contact_email = email.value.trim();
        if (unit) json.active = active.checked;
        try {
          await api(unit ? `/work-units/${unit.id}` : "/work-units", { method: unit ? "PATCH" : "POST", json });
          toast(t("units.saved", { name: json.name }));
          form(null);
          load();
        } catch (error) {
          problem.textContent = error.message;
          problem.hidden = false;
        }
      } },
        h("div", { class: "field-row" },
          h("label", {}, t("units.name"), name),
          h("label", {}, t("units.contact"), contact),
          h("label", {}, t("units.email"), email, h("span", { class: "hint" }, t(unit ? "units.emailKeep" : "units.emailHint"))),
        ),
        unit ? h("label", { class: "check" }, active, t("units.active")) : null,
        problem,
        h("div", { class: "actions" },
          h("button", { type: "submit", class: "primary", "data-test": "save-unit" }, unit ? t("common.save") : t("units.addButton")),
          unit ? h("button", { type: "button", onclick: () => form(null) }, t("common.cancel")) : null,
        ),
      ),
    );
  }

  function show(units) {
    list.dataset.state = "ready";
    if (!units.length) {
      mount(list, h("p", { class: "muted" }, t("units.none")));
      return;
    }
    mount(list, h("table", { class: "table" },
      h("thead", {}, h("tr", {}, h("th", {}, t("units.name")), h("th", {}, t("units.contact")), h("th", {}, t("units.email")), h("th", {}, ""))),
      h("tbody", {}, units.map((unit) => h("tr", { "data-unit": unit.id, class: unit.active ? null : "muted" },
        h("td", {}, unit.name, unit.active ? null : h("span", { class: "badge" }, t("units.notOffered"))),
        h("td", {}, unit.contact_name || "–"),
        h("td", {}, unit.contact_email_masked || h("span", { class: "warn" }, t("units.noEmail"))),
        h("td", {}, h("button", { type: "button", class: "small", onclick: () => form(unit) }, t("common.edit"))),
      ))),
    ));
  }

  function load() {
    api("/work-units/records").then(show).catch((error) => {
      list.dataset.state = "failed";
      mount(list, h("div", { class: "error" }, error.message));
    });
  }

  form(null);
  load();
  return root;
}
