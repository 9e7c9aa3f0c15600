// 团队 Teams of the community: 党小组 (a grid's party group), 专业服务队 (a specialist team of one
// skill) and 共建单位 (a unit that sends volunteers). A coordinator adds a team, finds people by
// name and puts them in it or takes them out; a post, an activity's role or a wish claimed by a
// team (帮帮团) then takes only its members. Below, services and hours per team for a period.
// Coordinators and street admins only.

import { api } from "../api.js";
import { h, mount, select, toast } from "../dom.js";
import { addDays, number, today } from "../format.js";
import { t } from "../i18n.js";

const KINDS = ["party_group", "specialist", "co_building"];

export function allowed(me) {
  return me.role === "coordinator" || me.role === "street_admin";
}

/** The first and last day of the month ``day`` (YYYY-MM-DD) falls in. */
function monthOf(day) {
  const first = `${day.slice(0, 8)}01`;
  const next = addDays(`${day.slice(0, 8)}28`, 4);
  return [first, addDays(`${next.slice(0, 8)}01`, -1)];
}

export function render(ctx) {
  const cid = ctx.community.id;
  const root = h("section", { class: "teams", "data-page": "teams" });
  const list = h("div", { class: "stack", "data-test": "teams-list" }, h("p", {}, t("common.loading")));
  const report = h("div", { class: "card stack", "data-test": "team-report" });
  const name = h("input", { type: "text", maxlength: 100, "data-test": "team-name", "aria-label": t("teams.name"), placeholder: t("teams.namePlaceholder") });
  const kind = select({ "data-test": "team-kind", "aria-label": t("teams.kind") }, KINDS.map((k) => [k, t(`teams.kind.${k}`)]), "specialist");
  const [monthFirst, monthLast] = monthOf(today());
  const first = h("input", { type: "date", value: monthFirst, "data-test": "report-first", "aria-label": t("teams.first") });
  const last = h("input", { type: "date", value: monthLast, "data-test": "report-last", "aria-label": t("teams.last") });

  mount(
    root,
    h("div", { class: "toolbar" },
      h("h1", {}, t("nav.teams"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)),
    ),
    h("p", { class: "muted" }, t("teams.intro")),
    h("form", { class: "card toolbar", "data-test": "team-form", onsubmit: (event) => { event.preventDefault(); create(); } },
      name, kind,
      h("button", { type: "submit", class: "primary", "data-test": "team-add" }, t("teams.add")),
    ),
    list,
    h("h2", {}, t("teams.reportTitle")),
    h("div", { class: "toolbar" },
      h("label", {}, t("teams.first"), " ", first),
      h("label", {}, t("teams.last"), " ", last),
      h("button", { type: "button", "data-test": "report-show", onclick: loadReport }, t("teams.showReport")),
    ),
    report,
  );

  async function act(work, done) {
    try {
      await work();
      if (done) toast(done);
    } catch (error) {
      toast(error.message, { bad: true });
    }
    load();
    loadReport();
  }

  function create() {
    const text = name.value.trim();
    if (!text) return toast(t("teams.nameMissing"), { bad: true });
    act(async () => {
      await api(`/communities/${cid}/teams`, { method: "POST", json: { name: text, kind: kind.value } });
      name.value = "";
    }, t("teams.added", { name: text }));
  }

  function finder(team) {
    const query = h("input", { type: "search", maxlength: 50, "data-test": "member-search", "aria-label": t("teams.find"), placeholder: t("teams.find") });
    const found = h("ul", { class: "found", "data-test": "member-found" });
    async function search() {
      const q = query.value.trim();
      if (!q) return;
      let page;
      try {
        page = await api(`/communities/${cid}/people`, { query: { q, limit: 10, offset: 0 } });
      } catch (error) {
        return toast(error.message, { bad: true });
      }
      const inTeam = new Set(team.members.map((m) => m.person_id));
      const people = page.items.filter((p) => !inTeam.has(p.id));
      mount(found, people.length
        ? people.map((person) => h("li", { "data-person": person.id },
          person.name, " ",
          h("span", { class: "muted small-text" }, t(`kind.${person.kind}`)), " ",
          h("button", { type: "button", class: "small primary", "data-test": "member-add", onclick: () => act(
            () => api(`/communities/${cid}/teams/${team.id}/members/${person.id}`, { method: "PUT", json: {} }),
            t("teams.joined", { name: person.name, team: team.name }),
          ) }, t("teams.join")),
        ))
        : h("li", { class: "muted" }, t("teams.nobodyFound")));
    }
    return h("form", { class: "toolbar", onsubmit: (event) => { event.preventDefault(); search(); } },
      query, h("button", { type: "submit", class: "small", "data-test": "member-find" }, t("teams.findButton")), found);
  }

  function teamCard(team) {
    return h("div", { class: "card stack", "data-team": team.id, "data-active": String(team.active) },
      h("div", { class: "toolbar" },
        h("h2", {}, team.name),
        h("span", { class: "badge" }, t(`teams.kind.${team.kind}`)),
        team.active ? null : h("span", { class: "badge muted" }, t("teams.stopped")),
        h("span", { class: "spacer" }),
        h("button", { type: "button", class: "small", "data-test": "team-toggle", onclick: () => act(
          () => api(`/communities/${cid}/teams/${team.id}`, { method: "PATCH", json: { active: !team.active } }),
        ) }, team.active ? t("teams.stop") : t("teams.restart")),
      ),
      team.members.length
        ? h("ul", { class: "members", "data-test": "members" }, team.members.map((member) =>
          h("li", { "data-member": member.person_id },
            member.name, " ",
            h("span", { class: "muted small-text" }, t(`kind.${member.kind}`), member.from_elsewhere ? ` · ${t("teams.fromElsewhere")}` : ""), " ",
            h("button", { type: "button", class: "small", "data-test": "member-remove", onclick: () => act(
              () => api(`/communities/${cid}/teams/${team.id}/members/${member.person_id}`, { method: "DELETE" }),
              t("teams.left", { name: member.name, team: team.name }),
            ) }, t("teams.remove")),
          )))
        : h("p", { class: "muted" }, t("teams.noMembers")),
      finder(team),
    );
  }

  async function load() {
    let teams;
    try {
      teams = await api(`/communities/${cid}/teams`);
    } catch (error) {
      mount(list, h("div", { class: "error" }, error.message));
      return;
    }
    mount(list, teams.length ? teams.map(teamCard) : h("p", { class: "muted card" }, t("teams.none")));
  }

  async function loadReport() {
    let data;
    try {
      data = await api(`/communities/${cid}/team-report/${first.value}/${last.value}`);
    } catch (error) {
      mount(report, h("div", { class: "error" }, error.message));
      return;
    }
    mount(report, data.teams.length
      ? h("table", { "data-test": "team-report-table" },
        h("thead", {}, h("tr", {},
          h("th", {}, t("teams.team")),
          h("th", {}, t("teams.kind")),
          h("th", { class: "num" }, t("teams.members")),
          h("th", { class: "num" }, t("teams.services")),
          h("th", { class: "num" }, t("teams.hours")),
        )),
        h("tbody", {}, data.teams.map((line) => h("tr", { "data-team": line.team_id },
          h("td", {}, line.team),
          h("td", {}, t(`teams.kind.${line.kind}`)),
          h("td", { class: "num" }, line.members),
          h("td", { class: "num" }, line.services),
          h("td", { class: "num" }, number(line.hours, 1)),
        ))),
      )
      : h("p", { class: "muted" }, t("teams.none")));
  }

  load();
  loadReport();
  return root;
}
