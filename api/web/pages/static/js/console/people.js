// 人员 People: registrations waiting for approval (报到审核); the community's members and
// volunteers with filters (grid, skill, kind, services
// this quarter); importing a roster from Excel (a template to download, a check before
// writing, and every bad row listed with its reason — a roster with a bad row imports
// nothing); and exports of the week's schedule and the quarter's service records.

import { api, download } from "../api.js";
import { h, mount, pager, select, toast } from "../dom.js";
import { SKILL_NAMES, lang, skillLabel, t } from "../i18n.js";
import { mondayOf, shortDay, today } from "../format.js";
import { storedWeek } from "./board.js";
import { importCard } from "./sheet.js";

const PAGE_SIZE = 50;
const KINDS = ["party_member", "volunteer", "social_worker"];

export function render(ctx) {
  const cid = ctx.community.id;
  const state = { q: "", grid: "", skill: "", kind: "", min: "", max: "", offset: 0, grids: [] };
  const root = h("section", { class: "people", "data-page": "people" });
  const list = h("div", { class: "people-table" }, h("p", {}, t("common.loading")));

  const search = h("input", { type: "search", name: "q", maxlength: 50, placeholder: t("people.searchHint"), "aria-label": t("people.search"), "data-test": "people-search" });
  const detail = h("div", { class: "card person-card", hidden: true, "data-test": "person-card" });
  const gridFilter = h("select", { "aria-label": t("common.grid"), name: "grid" });
  const skillFilter = select({ name: "skill" }, [["", t("people.anySkill")], ...SKILL_NAMES.map((skill) => [skill, skillLabel(skill)])], "");
  const kindFilter = select({ name: "kind" }, [["", t("people.anyKind")], ...KINDS.map((kind) => [kind, t(`kind.${kind}`)])], "");
  const minServices = h("input", { type: "number", min: 0, max: 999, name: "min_services", class: "short" });
  const maxServices = h("input", { type: "number", min: 0, max: 999, name: "max_services", class: "short" });
  const filters = h("form", { class: "field-row filters", onsubmit: (event) => {
    event.preventDefault();
    Object.assign(state, { q: search.value.trim(), grid: gridFilter.value, skill: skillFilter.value, kind: kindFilter.value, min: minServices.value, max: maxServices.value, offset: 0 });
    load();
  } },
    h("label", { class: "grow" }, t("people.search"), search),
    h("label", {}, t("common.grid"), gridFilter),
    h("label", {}, t("people.skill"), skillFilter),
    h("label", {}, t("people.kind"), kindFilter),
    h("label", {}, t("people.minServices"), minServices),
    h("label", {}, t("people.maxServices"), maxServices),
    h("button", { type: "submit" }, t("common.filter")),
  );

  const waiting = registrationsCard(cid, () => load());
  mount(
    root,
    h("div", { class: "toolbar" }, h("h1", {}, t("nav.people"), h("span", { class: "muted" }, ` · ${ctx.community.name}`))),
    h("div", { class: "people-layout" },
      h("div", { class: "stack" }, waiting, detail, h("div", { class: "card stack" }, filters, list)),
      h("div", { class: "people-side" }, rosterCard(cid, () => load()), exportCard(cid)),
    ),
  );

  const gridName = (id) => (state.grids.find((g) => g.id === id) || {}).name || "–";

  async function load() {
    let page;
    try {
      page = await api(`/communities/${cid}/people`, {
        query: {
          q: state.q,
          grid_id: state.grid,
          skill: state.skill,
          kind: state.kind,
          min_services: state.min,
          max_services: state.max,
          limit: PAGE_SIZE,
          offset: state.offset,
        },
      });
    } catch (error) {
      mount(list, h("div", { class: "error" }, error.message));
      return;
    }
    mount(
      list,
      h("p", { class: "muted", "data-test": "people-total" }, t("common.total", { n: page.total })),
      h("table", {},
        h("thead", {}, h("tr", {},
          h("th", {}, t("people.name")),
          h("th", {}, t("people.kind")),
          h("th", {}, t("common.grid")),
          h("th", {}, t("people.skills")),
          h("th", {}, t("people.workUnit")),
          h("th", { class: "num" }, t("people.quarter")),
          h("th", {}, t("people.phone")),
        )),
        h("tbody", {}, page.items.map((person) =>
          h("tr", { "data-person": person.id, class: person.active ? null : "inactive" },
            h("td", {},
              h("button", { type: "button", class: "link", "data-test": "person-open", onclick: () => openPerson(person.id) }, person.name),
              person.active ? null : h("span", { class: "badge" }, t("people.inactive"))),
            h("td", {}, t(`kind.${person.kind}`)),
            h("td", {}, gridName(person.grid_id)),
            h("td", {}, person.skills.map(skillLabel).join("、")),
            h("td", {}, person.work_unit),
            h("td", { class: "num" }, person.services_this_quarter ?? "–"),
            // phones arrive masked from the API and are shown as they come
            h("td", {}, person.phone_masked || "–"),
          ),
        )),
      ),
      pager(page, { offset: state.offset, size: PAGE_SIZE, turn: (offset) => { state.offset = offset; load(); } }),
    );
  }

  /** 人员详情: skills, free times, caps, this quarter's services, hours and each service; the
   * pins and forbids of the week on the board, each to withdraw; edit, deactivate. */
  async function openPerson(personId) {
    let person;
    let record = null;
    let overrides = null;
    const week = storedWeek();
    try {
      person = await api(`/people/${personId}`);
      const now = today();
      const quarter = Math.floor((Number(now.slice(5, 7)) - 1) / 3) + 1;
      record = await api(`/people/${personId}/service-record/${now.slice(0, 4)}/q${quarter}`).catch(() => null);
      // managers only (a grid leader reads the card without them)
      overrides = await api(`/people/${personId}/weeks/${week}/overrides`).catch(() => null);
      state.units = state.units || (await api("/work-units"));
    } catch (error) {
      toast(error.message, { bad: true });
      return;
    }
    const taskCap = h("input", { type: "number", min: 1, max: 20, value: person.weekly_task_cap, class: "short", "data-test": "task-cap" });
    const hoursCap = h("input", { type: "number", min: 0.5, max: 40, step: 0.5, value: person.weekly_hours_cap, class: "short", "data-test": "hours-cap" });
    const skills = h("div", { class: "chips" }, SKILL_NAMES.map((skill) =>
      h("label", { class: "chip" }, h("input", { type: "checkbox", value: skill, checked: person.skills.includes(skill) }), h("span", {}, skillLabel(skill)))));
    // the unit the quarterly service card goes to; the employer as written stays beside it
    const unit = select({ "data-test": "work-unit" }, [["", t("people.noUnit")], ...state.units.map((u) => [u.id, u.name])], person.work_unit_id || "");
    const windows = person.availability.map((w) => `${t(`weekday.${w.weekday}`)} ${w.start}–${w.end}`).join("，") || "–";

    async function change(request, message) {
      try {
        await request();
        toast(message);
        await openPerson(personId);
        await load();
      } catch (error) {
        toast(error.message, { bad: true });
      }
    }

    detail.hidden = false;
    mount(detail,
      h("div", { class: "panel-head" },
        h("h2", {}, person.name, person.active ? null : h("span", { class: "badge", "data-test": "person-inactive" }, t("people.inactive"))),
        h("button", { type: "button", class: "small", "aria-label": t("common.close"), onclick: () => { detail.hidden = true; } }, "×"),
      ),
      h("p", { class: "muted" }, [t(`kind.${person.kind}`), gridName(person.grid_id), person.work_unit, person.phone_masked].filter(Boolean).join(" · ")),
      h("dl", { class: "facts" },
        h("dt", {}, t("people.freeTimes")), h("dd", {}, windows),
        h("dt", {}, t("people.thisQuarter")), h("dd", { "data-test": "person-quarter" }, record
          ? t("people.quarterFigures", { services: record.services, hours: record.hours, minimum: record.quarter_minimum })
          : "–"),
      ),
      overrides === null ? null : h("section", { class: "person-overrides", "data-test": "person-overrides" },
        h("h3", {}, t("people.overrides", { week: shortDay(week) })),
        overrides.length
          ? h("ul", { class: "people-list" }, overrides.map((o) =>
              h("li", { "data-override": o.id, "data-kind": o.kind },
                h("span", { class: `badge override-${o.kind}` }, t(`override.${o.kind}`)),
                h("span", {}, o.title),
                o.reason ? h("span", { class: "muted small-text" }, o.reason) : null,
                h("span", { class: "spacer" }),
                h("button", { type: "button", class: "small", "data-test": "override-withdraw", onclick: () =>
                  change(() => api(`/overrides/${o.id}`, { method: "DELETE" }), t("people.overrideWithdrawn", { title: o.title })) }, t("board.withdraw")),
              )))
          : h("p", { class: "muted" }, t("people.noOverrides")),
        h("p", { class: "muted small-text" }, t("people.overridesHint")),
      ),
      record && record.entries.length
        ? h("details", { class: "person-history", "data-test": "person-history" },
            h("summary", {}, t("people.history", { n: record.entries.length })),
            h("table", {},
              h("tbody", {}, record.entries.map((entry) =>
                h("tr", {},
                  h("td", {}, shortDay(entry.day)),
                  h("td", {}, t(`demand.${entry.kind}`)),
                  h("td", {}, entry.title),
                  h("td", { class: "num" }, t("people.hours", { n: entry.hours })),
                )))))
        : null,
      h("form", { class: "stack", onsubmit: (event) => {
        event.preventDefault();
        change(() => api(`/people/${personId}`, { method: "PATCH", json: {
          weekly_task_cap: Number(taskCap.value),
          weekly_hours_cap: Number(hoursCap.value),
          skills: [...skills.querySelectorAll("input:checked")].map((box) => box.value),
          work_unit_id: unit.value ? Number(unit.value) : null,
        } }), t("people.saved"));
      } },
        h("div", { class: "field-row" }, h("label", {}, t("people.taskCap"), taskCap), h("label", {}, t("people.hoursCap"), hoursCap)),
        h("label", {}, t("people.workUnitRecord"), unit,
          person.work_unit && person.work_unit !== person.work_unit_name ? h("span", { class: "hint" }, t("people.workUnitWritten", { name: person.work_unit })) : null),
        h("label", {}, t("people.skills"), skills),
        h("div", { class: "actions" },
          h("button", { type: "submit", class: "primary" }, t("common.save")),
          person.active
            ? h("button", { type: "button", class: "danger", "data-test": "deactivate", onclick: () => {
                if (window.confirm(t("people.deactivateAsk", { name: person.name }))) {
                  change(() => api(`/people/${personId}/deactivate`, { method: "POST" }), t("people.deactivated", { name: person.name }));
                }
              } }, t("people.deactivate"))
            : h("button", { type: "button", "data-test": "activate", onclick: () =>
                change(() => api(`/people/${personId}/activate`, { method: "POST" }), t("people.activated", { name: person.name })) }, t("people.activate")),
        ),
      ),
    );
  }

  api(`/communities/${cid}/grids`)
    .catch(() => [])
    .then((grids) => {
      state.grids = grids;
      mount(gridFilter, h("option", { value: "" }, t("common.allGrids")), grids.map((g) => h("option", { value: String(g.id) }, g.name)));
      load();
    });
  return root;
}

/** 报到审核: who registered and waits; approve (confirming a claimed party membership, or as a
 * volunteer) or turn down. Hidden while nobody waits. */
function registrationsCard(cid, reload) {
  const card = h("div", { class: "card stack registrations", "data-test": "registrations", hidden: true });

  async function answer(person, path, json, done) {
    try {
      await api(`/people/${person.id}/${path}`, { method: "POST", json });
      toast(t(done, { name: person.name }));
      load();
      reload();
    } catch (error) {
      toast(error.message, { bad: true });
    }
  }

  function row(person) {
    const claimed = person.kind === "party_member";
    return h("li", { class: "registration", "data-person": person.id },
      h("div", {},
        h("strong", {}, person.name), " ",
        h("span", { class: "muted" }, t(claimed ? "registrations.claimsMember" : "kind.volunteer")),
        h("div", { class: "muted" }, [person.work_unit, person.skills.map(skillLabel).join("、"), person.phone_masked].filter(Boolean).join(" · ")),
      ),
      h("div", { class: "actions" },
        claimed
          ? h("button", { type: "button", class: "primary", "data-test": "approve-member", onclick: () => answer(person, "approve", { party_member: true }, "registrations.approved") }, t("registrations.approveMember"))
          : null,
        h("button", { type: "button", class: claimed ? null : "primary", "data-test": "approve-volunteer", onclick: () => answer(person, "approve", { party_member: false }, "registrations.approved") }, t("registrations.approveVolunteer")),
        h("button", { type: "button", class: "danger", "data-test": "reject", onclick: () => answer(person, "reject", undefined, "registrations.rejected") }, t("registrations.reject")),
      ),
    );
  }

  async function load() {
    let people;
    try {
      people = await api(`/communities/${cid}/registrations`);
    } catch (error) {
      card.hidden = false;
      mount(card, h("div", { class: "error" }, error.message));
      return;
    }
    card.hidden = people.length === 0;
    mount(
      card,
      h("h2", {}, t("registrations.title"), h("span", { class: "muted" }, ` · ${t("common.total", { n: people.length })}`)),
      h("p", { class: "muted" }, t("registrations.why")),
      h("ul", { class: "registration-list" }, people.map(row)),
    );
  }

  load();
  return card;
}

function rosterCard(cid, reload) {
  return importCard({
    path: `/communities/${cid}/roster/import`,
    prefix: "roster",
    accept: ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    title: t("roster.title"),
    hint: t("roster.hint"),
    fileLabel: t("roster.file"),
    outcome: (answer) => t(answer.dry_run ? "roster.checked" : "roster.imported", answer),
    done: reload,
    extra: h("button", { type: "button", "data-test": "roster-template", onclick: () => download(`/communities/${cid}/roster/template.xlsx`, { fallbackName: "roster-template.xlsx" }) }, t("roster.template")),
  });
}

function exportCard(cid) {
  const week = h("input", { type: "date", value: storedWeek(), "aria-label": t("board.week") });
  const now = today();
  const year = h("input", { type: "number", min: 2000, max: 2199, value: now.slice(0, 4), class: "short", "aria-label": t("exports.year") });
  const quarter = select({ "aria-label": t("exports.quarter") }, [1, 2, 3, 4].map((q) => [q, `Q${q}`]), Math.floor((Number(now.slice(5, 7)) - 1) / 3) + 1);
  const schedule = (extension) => () => {
    const monday = mondayOf(week.value || storedWeek());
    download(`/communities/${cid}/weeks/${monday}/schedule.${extension}`, { fallbackName: `schedule-${monday}.${extension}` });
  };
  const records = (extension) => () =>
    download(`/communities/${cid}/service-records/${year.value}/q${quarter.value}.${extension}`, { fallbackName: `service-records-${year.value}-q${quarter.value}.${extension}` });
  return h("div", { class: "card stack", "data-test": "exports" },
    h("h2", {}, t("exports.title")),
    h("fieldset", {}, h("legend", {}, t("exports.schedule")),
      h("div", { class: "field-row" },
        h("label", {}, t("board.week"), week),
        h("button", { type: "button", "data-test": "export-schedule-xlsx", onclick: schedule("xlsx") }, "Excel"),
        h("button", { type: "button", "data-test": "export-schedule-csv", onclick: schedule("csv") }, "CSV"),
      ),
    ),
    h("fieldset", {}, h("legend", {}, t("exports.records")),
      h("div", { class: "field-row" },
        h("label", {}, t("exports.year"), year),
        h("label", {}, t("exports.quarter"), quarter),
        h("button", { type: "button", "data-test": "export-records-xlsx", onclick: records("xlsx") }, "Excel"),
        h("button", { type: "button", "data-test": "export-records-csv", onclick: records("csv") }, "CSV"),
      ),
    ),
  );
}
