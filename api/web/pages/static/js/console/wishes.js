// 微心愿 The wish desk: the community's wishes with filters, recording a wish met at the door,
// moving it through its life (recorded → verified → open → assigned → done → followed up) and
// recording the resident's rating at the follow-up visit (回访). The household's address and
// phone are shown only when the API sends them: to a coordinator of the wish's community.

import { api } from "../api.js";
import { h, maskPhone, mount, pager, select, toast } from "../dom.js";
import { SKILL_NAMES, skillLabel, t } from "../i18n.js";
import { addDays, deadline, shortDay, today } from "../format.js";
import { placePicker } from "../places.js";

const STATUSES = ["recorded", "verified", "open", "assigned", "done", "followed_up"];
const SITUATIONS = ["elderly_alone", "disabled", "seriously_ill", "poor_family", "left_behind_child"];
/** The step a coordinator takes from each status; assigning is the scheduler's job. */
const NEXT = { recorded: "verified", verified: "open", assigned: "done" };
const PAGE_SIZE = 50;

export function render(ctx) {
  const cid = ctx.community.id;
  const state = { status: ctx.params.status || "", grid: ctx.params.grid || "", offset: 0, grids: [], places: [] };
  const root = h("section", { class: "wishes", "data-page": "wishes" });
  const list = h("div", { class: "wish-list" }, h("p", {}, t("common.loading")));
  const side = h("aside", { class: "side-panel", hidden: true, "data-test": "wish-panel" });

  const statusFilter = select(
    { "aria-label": t("wishes.status"), "data-test": "status-filter", onchange: (event) => { state.status = event.target.value; state.offset = 0; load(); } },
    [["", t("wishes.allStatuses")], ...STATUSES.map((status) => [status, t(`wish.${status}`)])],
    state.status,
  );
  const gridFilter = h("select", { "aria-label": t("common.grid"), onchange: (event) => { state.grid = event.target.value; state.offset = 0; load(); } });

  mount(
    root,
    h("div", { class: "toolbar" },
      h("h1", {}, t("nav.wishes"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)),
      h("span", { class: "spacer" }),
      h("label", { class: "inline" }, t("wishes.status"), statusFilter),
      h("label", { class: "inline" }, t("common.grid"), gridFilter),
      h("button", { type: "button", class: "primary", "data-test": "new-wish", onclick: () => openForm() }, t("wishes.new")),
    ),
    h("div", { class: "board-body" }, list, side),
  );

  const gridName = (id) => (state.grids.find((g) => g.id === id) || {}).name || "–";

  async function loadGrids() {
    state.grids = await api(`/communities/${cid}/grids`).catch(() => []);
    state.places = await api(`/communities/${cid}/places`).catch(() => []);
    mount(gridFilter, h("option", { value: "" }, t("common.allGrids")), state.grids.map((g) => h("option", { value: String(g.id), selected: String(g.id) === state.grid }, g.name)));
  }

  async function load() {
    let page;
    try {
      page = await api(`/communities/${cid}/wishes`, {
        query: { status: state.status, grid_id: state.grid, limit: PAGE_SIZE, offset: state.offset },
      });
    } catch (error) {
      mount(list, h("div", { class: "error" }, error.message));
      return;
    }
    const soon = addDays(today(), 2);
    mount(
      list,
      h("p", { class: "muted" }, t("common.total", { n: page.total })),
      page.items.length
        ? h("table", { class: "wish-table" },
            h("thead", {}, h("tr", {},
              h("th", {}, t("wishes.title")),
              h("th", {}, t("wishes.beneficiary")),
              h("th", {}, t("wishes.category")),
              h("th", {}, t("common.grid")),
              h("th", {}, t("wishes.deadline")),
              h("th", {}, t("wishes.status")),
              h("th", { class: "num" }, t("wishes.rating")),
              h("th", {}, ""),
            )),
            h("tbody", {}, page.items.map((wish) => {
              const open = !["done", "followed_up"].includes(wish.status);
              const late = open && wish.deadline < today();
              const near = open && !late && wish.deadline <= soon;
              return h("tr", { "data-wish": wish.id },
                h("td", {}, h("button", { type: "button", class: "link", onclick: () => openDetail(wish.id) }, wish.title)),
                h("td", {}, wish.beneficiary_name),
                h("td", {}, wish.category),
                h("td", {}, gridName(wish.grid_id)),
                h("td", { class: late ? "late" : near ? "near" : null }, deadline(wish.deadline), late ? h("span", { class: "badge late" }, t("wishes.late")) : null),
                h("td", {}, h("span", { class: `badge ${wish.status}` }, t(`wish.${wish.status}`))),
                h("td", { class: "num" }, wish.rating ? "★".repeat(wish.rating) : ""),
                h("td", { class: "row-actions" }, actionsFor(wish)),
              );
            })),
          )
        : h("p", { class: "notice" }, t("wishes.none")),
      pager(page, { offset: state.offset, size: PAGE_SIZE, turn: (offset) => { state.offset = offset; load(); } }),
    );
  }

  function actionsFor(wish) {
    const buttons = [];
    if (NEXT[wish.status]) {
      buttons.push(h("button", { type: "button", class: "small", "data-test": `advance-${NEXT[wish.status]}`, onclick: () => advance(wish, NEXT[wish.status]) }, t(`wishes.to.${NEXT[wish.status]}`)));
    }
    if (wish.status === "done" || wish.status === "followed_up") {
      buttons.push(h("button", { type: "button", class: "small", "data-test": "follow-up", onclick: () => openFollowUp(wish) }, t("wishes.followUp")));
    }
    if (!["done", "followed_up"].includes(wish.status)) {
      buttons.push(h("button", { type: "button", class: "small", "data-test": "edit-wish", onclick: () => openForm(wish) }, t("common.edit")));
    }
    return buttons;
  }

  async function advance(wish, status) {
    try {
      await api(`/wishes/${wish.id}/advance`, { method: "POST", json: { status } });
      toast(t("wishes.advanced", { title: wish.title, status: t(`wish.${status}`) }));
      await load();
    } catch (error) {
      toast(error.message, { bad: true });
    }
  }

  function closeSide() {
    side.hidden = true;
  }

  function sideHead(title) {
    return h("div", { class: "panel-head" }, h("h2", {}, title), h("button", { type: "button", class: "small", "aria-label": t("common.close"), onclick: closeSide }, "×"));
  }

  async function openDetail(id) {
    side.hidden = false;
    mount(side, sideHead(t("wishes.detail")), h("p", {}, t("common.loading")));
    let wish;
    try {
      wish = await api(`/wishes/${id}`);
    } catch (error) {
      mount(side, sideHead(t("wishes.detail")), h("div", { class: "error" }, error.message));
      return;
    }
    const row = (label, value) => h("tr", {}, h("th", {}, label), h("td", {}, value));
    mount(
      side,
      sideHead(wish.title),
      h("table", { class: "facts" }, h("tbody", {},
        row(t("wishes.status"), h("span", { class: `badge ${wish.status}` }, t(`wish.${wish.status}`))),
        row(t("wishes.beneficiary"), wish.beneficiary_name),
        wish.beneficiary ? row(t("wishes.address"), wish.beneficiary.address || "–") : null,
        wish.beneficiary ? row(t("wishes.phone"), maskPhone(wish.beneficiary.phone) || "–") : null,
        wish.situations ? row(t("wishes.situations"), wish.situations.map((s) => t(`situation.${s}`)).join("、") || "–") : null,
        row(t("wishes.category"), wish.category),
        row(t("wishes.skills"), wish.skills.map(skillLabel).join("、") || "–"),
        row(t("wishes.window"), t("wishes.span", { from: shortDay(wish.earliest), deadline: deadline(wish.deadline) })),
        row(t("wishes.duration"), t("common.minutes", { n: wish.duration_minutes })),
        row(t("wishes.headcount"), wish.headcount),
        row(t("common.grid"), gridName(wish.grid_id)),
        wish.beneficiary ? row(t("places.place"), wish.place_name || "–") : null,
        wish.instructions ? row(t("task.instructions"), h("span", { class: "pre" }, wish.instructions)) : null,
        wish.what_to_bring ? row(t("task.bring"), wish.what_to_bring) : null,
      )),
      wish.beneficiary ? null : h("p", { class: "muted small-text" }, t("wishes.contactHidden")),
      wish.follow_ups && wish.follow_ups.length
        ? h("div", {}, h("h3", {}, t("wishes.followUps")), h("ul", {}, wish.follow_ups.map((f) => h("li", {}, `${"★".repeat(f.rating)} ${f.comment}`))))
        : null,
      h("div", { class: "row-actions" }, actionsFor(wish)),
      teamClaim(wish),
    );
  }

  /** 帮帮团: a team takes the whole wish, every helper from it (recorded or open wishes). */
  function teamClaim(wish) {
    const box = h("div", { class: "team-claim stack", "data-test": "team-claim" });
    if (!["recorded", "open"].includes(wish.status)) return null;
    api(`/communities/${cid}/teams`).then((teams) => {
      const active = teams.filter((team) => team.active);
      const claimed = teams.find((team) => team.id === wish.team_id);
      if (claimed) {
        mount(box, h("h3", {}, t("wishes.teamClaim")),
          h("p", { "data-test": "claimed-by" }, t("wishes.claimedBy", { team: claimed.name })),
          h("button", { type: "button", class: "small", "data-test": "team-release", onclick: () => claimAct(wish, "DELETE", undefined, t("wishes.teamReleased")) }, t("wishes.teamRelease")));
        return;
      }
      if (!active.length) return mount(box);
      const choice = select({ "data-test": "team-choice", "aria-label": t("wishes.teamClaim") }, active.map((team) => [team.id, `${team.name}（${team.members.length}）`]), active[0].id);
      mount(box, h("h3", {}, t("wishes.teamClaim")),
        h("p", { class: "muted small-text" }, t("wishes.teamClaimHint")),
        h("div", { class: "toolbar" }, choice,
          h("button", { type: "button", class: "small primary", "data-test": "team-claim-button", onclick: () => claimAct(wish, "PUT", { team_id: Number(choice.value) }, t("wishes.teamClaimed")) }, t("wishes.teamClaimButton"))));
    }).catch((error) => mount(box, h("div", { class: "error" }, error.message)));
    return box;
  }

  async function claimAct(wish, method, json, done) {
    try {
      await api(`/wishes/${wish.id}/team-claim`, { method, json });
      toast(done);
    } catch (error) {
      toast(error.message, { bad: true });
    }
    openDetail(wish.id);
  }

  function openFollowUp(wish) {
    side.hidden = false;
    const stars = h("div", { class: "stars", role: "radiogroup", "aria-label": t("wishes.rating") },
      [1, 2, 3, 4, 5].map((n) => h("label", { class: "star" }, h("input", { type: "radio", name: "rating", value: n, required: n === 1 }), h("span", {}, `${n}★`))));
    const comment = h("textarea", { rows: 3, maxlength: 2000, name: "comment" });
    const message = h("div", { class: "error", hidden: true, role: "alert" });
    mount(
      side,
      sideHead(t("wishes.followUpTitle", { title: wish.title })),
      h("form", { class: "stack", onsubmit: async (event) => {
        event.preventDefault();
        // no star is chosen beforehand: the resident's own rating, never a default
        const chosen = stars.querySelector("input:checked");
        if (!chosen) {
          message.textContent = t("wishes.ratingNeeded");
          message.hidden = false;
          return;
        }
        const rating = Number(chosen.value);
        try {
          await api(`/wishes/${wish.id}/follow-up`, { method: "POST", json: { rating, comment: comment.value.trim() } });
          toast(t("wishes.followedUp"));
          closeSide();
          await load();
        } catch (error) {
          message.textContent = error.message;
          message.hidden = false;
        }
      } },
        h("fieldset", {}, h("legend", {}, t("wishes.rating")), stars),
        h("label", {}, t("wishes.comment"), comment),
        message,
        h("button", { type: "submit", class: "primary" }, t("common.save")),
      ),
    );
  }

  async function openForm(wish = null) {
    side.hidden = false;
    // the grids and the place directory the form picks from
    mount(side, h("p", {}, t("common.loading")));
    await loaded;
    const editing = Boolean(wish);
    const field = (name, props = {}) => h("input", { name, ...props });
    const title = field("title", { type: "text", required: true, maxlength: 200, value: wish ? wish.title : "" });
    const category = field("category", { type: "text", required: true, maxlength: 32, list: "wish-categories", value: wish ? wish.category : "" });
    const categories = h("datalist", { id: "wish-categories" }, SKILL_NAMES.map((skill) => h("option", { value: skill })));
    const duration = field("duration_minutes", { type: "number", min: 5, max: 1440, value: wish ? wish.duration_minutes : 60 });
    const earliest = field("earliest", { type: "date", required: true, value: wish ? wish.earliest : today() });
    const deadline = field("deadline", { type: "date", required: true, value: wish ? wish.deadline : addDays(today(), 7) });
    const headcount = field("headcount", { type: "number", min: 1, max: 20, value: wish ? wish.headcount : 1 });
    const separate = field("separate_visits", { type: "checkbox", checked: wish ? wish.separate_visits : false });
    const grid = select({ name: "grid_id" }, [["", t("wishes.gridByPlace")], ...state.grids.map((g) => [g.id, g.name])], wish ? wish.grid_id || "" : state.grid);
    const skills = h("div", { class: "chips" }, SKILL_NAMES.map((skill) =>
      h("label", { class: "chip" }, h("input", { type: "checkbox", value: skill, checked: wish ? wish.skills.includes(skill) : false }), h("span", {}, skillLabel(skill)))));
    // 说明 and 需携带: on the helpers' task cards and calendars, so never the address
    const instructions = h("textarea", { name: "instructions", rows: 3, maxlength: 2000, placeholder: t("task.instructionsHint") });
    instructions.value = wish ? wish.instructions : "";
    const bring = field("what_to_bring", { type: "text", maxlength: 2000, placeholder: t("task.bringHint"), value: wish ? wish.what_to_bring : "" });
    const message = h("div", { class: "error", hidden: true, role: "alert" });

    // a new wish: the household and where it is (by default the grid's centre)
    const person = field("beneficiary_name", { type: "text", required: true, maxlength: 100 });
    const address = field("address", { type: "text", maxlength: 200 });
    const phone = field("phone", { type: "tel", maxlength: 13 });
    const situations = h("div", { class: "chips" }, SITUATIONS.map((s) =>
      h("label", { class: "chip" }, h("input", { type: "checkbox", value: s }), h("span", {}, t(`situation.${s}`)))));
    // where: a building of an estate (or a venue) of the place directory; coordinates only
    // for those who have exact ones
    const picker = placePicker(state.places, { selected: wish ? wish.place_id : null });
    const lat = field("lat", { type: "number", step: "any", min: -90, max: 90 });
    const lng = field("lng", { type: "number", step: "any", min: -180, max: 180 });
    const exact = h("details", { class: "exact-location", open: !state.places.length },
      h("summary", {}, t("places.exactSummary")),
      h("p", { class: "muted small-text" }, t("places.exactHint")),
      h("div", { class: "field-row" }, h("label", {}, t("common.lat"), lat), h("label", {}, t("common.lng"), lng)),
    );

    mount(
      side,
      sideHead(editing ? t("wishes.edit") : t("wishes.new")),
      h("form", { class: "stack", "data-test": "wish-form", onsubmit: async (event) => {
        event.preventDefault();
        message.hidden = true;
        const place = picker.value();
        const typed = lat.value !== "" && lng.value !== "";
        if (!editing && !place && !typed) {
          message.textContent = t("places.needed");
          message.hidden = false;
          return;
        }
        const body = {
          title: title.value.trim(),
          category: category.value.trim(),
          duration_minutes: Number(duration.value),
          earliest: earliest.value,
          deadline: deadline.value,
          headcount: Number(headcount.value),
          separate_visits: separate.checked,
          grid_id: grid.value ? Number(grid.value) : null,
          skills: [...skills.querySelectorAll("input:checked")].map((box) => box.value),
          instructions: instructions.value.trim(),
          what_to_bring: bring.value.trim(),
        };
        try {
          if (editing) {
            if (place && place !== wish.place_id) body.place_id = place;
            await api(`/wishes/${wish.id}`, { method: "PATCH", json: body });
            toast(t("wishes.saved"));
          } else {
            await api(`/communities/${cid}/wishes`, {
              method: "POST",
              json: {
                ...body,
                place_id: place,
                ...(typed ? { lat: Number(lat.value), lng: Number(lng.value) } : {}),
                beneficiary: {
                  name: person.value.trim(),
                  address: address.value.trim(),
                  phone: phone.value.trim() || null,
                  situations: [...situations.querySelectorAll("input:checked")].map((box) => box.value),
                },
              },
            });
            toast(t("wishes.recorded"));
          }
          closeSide();
          await load();
        } catch (error) {
          message.textContent = error.message;
          message.hidden = false;
        }
      } },
        h("label", {}, t("wishes.title"), title),
        h("label", {}, t("wishes.category"), category, categories),
        h("div", { class: "field-row" },
          h("label", {}, t("wishes.earliest"), earliest),
          h("label", {}, t("wishes.deadline"), deadline),
        ),
        h("div", { class: "field-row" },
          h("label", {}, t("wishes.duration"), duration),
          h("label", {}, t("wishes.headcount"), headcount),
          h("label", {}, t("common.grid"), grid),
        ),
        h("label", { class: "check" }, separate, h("span", {}, t("wishes.separateVisits"))),
        h("fieldset", {}, h("legend", {}, t("wishes.skills")), skills),
        h("label", {}, t("task.instructions"), instructions, h("span", { class: "hint" }, t("task.instructionsNote"))),
        h("label", {}, t("task.bring"), bring),
        editing ? null : h("fieldset", {}, h("legend", {}, t("wishes.household")),
          h("label", {}, t("wishes.beneficiary"), person),
          h("label", {}, t("wishes.address"), address),
          h("label", {}, t("wishes.phone"), phone),
          h("div", { class: "chips" }, situations),
          h("p", { class: "muted small-text" }, t("wishes.privateNote")),
        ),
        h("fieldset", { "data-test": "wish-place" }, h("legend", {}, t("places.place")),
          picker.element,
          h("p", { class: "muted small-text" }, state.places.length ? t("places.pickHint") : t("places.emptyHint")),
          editing ? null : exact,
        ),
        message,
        h("button", { type: "submit", class: "primary", "data-test": "save-wish" }, editing ? t("common.save") : t("wishes.record")),
      ),
    );
  }

  const loaded = loadGrids();
  loaded.then(load);
  return root;
}
