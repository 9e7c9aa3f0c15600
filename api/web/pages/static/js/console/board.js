// 排班周表 The week board: a community's posts, activities and wishes of one week, by day,
// each with its people, its fill in colour and the reason for every gap. A slot opens a panel
// of ranked candidates to pin, forbid, assign or unassign; 排班 / 重新排班 solves the week in
// the background (its progress polled from GET /runs/{id}) and shows what moved; 发布
// publishes the draft; 打印公示栏 opens the week's notice to print (notice.js).
//
// The keyboard works the board alone: the cards are buttons in reading order (Tab reaches
// them, Enter opens a card's panel); arrow keys move between cards (↑↓ within a day, ←→ to the
// next day's card at about the same height), Esc closes the panel and goes back to its card,
// "/" goes to the search box and "g" to the next card with a gap.

import { api } from "../api.js";
import { h, mount, select, toast } from "../dom.js";
import { pick, t, weekdayShort } from "../i18n.js";
import { addDays, clockOf, deadline, localDayOf, metres, mondayOf, number, shortDay, today } from "../format.js";
import { go } from "../router.js";

const WEEK_KEY = "tongxin.week";
const TIME_LIMIT_KEY = "tongxin.timeLimit";
const TIME_LIMITS = [3, 10, 30, 60];
const POLL_MS = 500;
const MOVES_SHOWN = 12;
const CANDIDATES_SHOWN = 20;
const CANDIDATES_FETCHED = 100;
const FILLS = ["full", "partial", "empty"];
const KINDS = ["shift", "activity", "wish"];
const VIEW_KEY = "tongxin.boardView";

/** A role by the skill it needs, in the chosen language. */
function roleName(role) {
  return role.skill ? pick({ zh: role.skill_zh || role.skill, en: role.skill_en || role.skill }) : t("board.anyone");
}

/** A shift's title names its day and time, which its card already shows above it. */
function shortTitle(title) {
  return title.replace(/\s+周[一二三四五六日]\s+\d{2}:\d{2}–\d{2}:\d{2}$/, "");
}

/** A demand's time: a wish nobody has yet may be done any time before its deadline. */
function when(demand) {
  if (demand.flexible && !demand.people.length) return t("board.flexible", { deadline: deadline(localDayOf(demand.ends_at)) });
  return `${clockOf(demand.starts_at)}–${clockOf(demand.ends_at)}`;
}

/** The Monday of the week last picked on the board, or null when none was. */
export function rememberedWeek() {
  return localStorage.getItem(WEEK_KEY);
}

export function storedWeek() {
  return rememberedWeek() || mondayOf(today());
}

export function render(ctx) {
  const cid = ctx.community.id;
  const state = {
    week: mondayOf(ctx.params.week || storedWeek()),
    board: null,
    run: null,
    open: null, // the demand whose panel is open
    pending: 0, // overrides made since the last solve
    // what the board shows: a grid, a kind, one colour (the counts filter when clicked)
    grid: "",
    kind: "",
    fill: "",
    gapsOnly: false,
    q: "", // part of a task's title or of a person's name
    view: localStorage.getItem(VIEW_KEY) || "columns",
    grids: [],
  };
  localStorage.setItem(WEEK_KEY, state.week);
  const weekPath = () => `/communities/${cid}/weeks/${state.week}`;

  const root = h("section", { class: "board", "data-page": "board" });
  const status = h("div", { class: "run-status", "data-test": "run-status" });
  const progress = h("div", { class: "solve-progress", hidden: true, "data-test": "solve-progress" });
  const moves = h("div", { class: "moves card", hidden: true, "data-test": "moves" });
  const summary = h("div", { class: "board-summary", "data-test": "summary" });
  const gridChoice = h("select", { "aria-label": t("common.grid"), "data-test": "filter-grid", onchange: () => { state.grid = gridChoice.value; draw(); } },
    h("option", { value: "" }, t("common.allGrids")));
  const kindChoice = select({ "aria-label": t("board.kind"), "data-test": "filter-kind", onchange: () => { state.kind = kindChoice.value; draw(); } },
    [["", t("board.allKinds")], ...KINDS.map((kind) => [kind, t(`demand.${kind}`)])], "");
  const gapsOnly = h("input", { type: "checkbox", "data-test": "filter-gaps", onchange: () => { state.gapsOnly = gapsOnly.checked; draw(); } });
  const search = h("input", { type: "search", maxlength: 50, placeholder: t("board.searchHint"), "aria-label": t("board.search"), "aria-keyshortcuts": "/", "data-test": "board-search", oninput: () => { state.q = search.value.trim(); draw(); } });
  const viewChoice = select({ "aria-label": t("board.view"), "data-test": "view", onchange: () => {
    state.view = viewChoice.value;
    localStorage.setItem(VIEW_KEY, state.view);
    draw();
  } }, [["columns", t("board.viewColumns")], ["list", t("board.viewList")]], state.view);
  const filterBar = h("div", { class: "board-filters field-row" },
    h("label", { class: "inline" }, t("board.search"), search),
    h("label", { class: "inline" }, t("common.grid"), gridChoice),
    h("label", { class: "inline" }, t("board.kind"), kindChoice),
    h("label", { class: "inline check" }, gapsOnly, t("board.gapsOnly")),
    h("label", { class: "inline" }, t("board.view"), viewChoice),
  );
  const days = h("div", { class: "days", "data-test": "days" });
  const panel = h("aside", { class: "slot-panel", hidden: true, "data-test": "slot-panel", "aria-label": t("board.panel") });

  // toolbar -----------------------------------------------------------------------------
  const weekInput = h("input", {
    type: "date",
    value: state.week,
    "aria-label": t("board.week"),
    "data-test": "week",
    onchange: (event) => event.target.value && go("board", { week: mondayOf(event.target.value) }),
  });
  const timeLimit = select(
    { "aria-label": t("board.timeLimit"), "data-test": "time-limit", onchange: (event) => localStorage.setItem(TIME_LIMIT_KEY, event.target.value) },
    TIME_LIMITS.map((seconds) => [seconds, t("board.seconds", { n: seconds })]),
    localStorage.getItem(TIME_LIMIT_KEY) || 10,
  );
  const solveButton = h("button", { type: "button", class: "primary", "data-test": "solve", onclick: () => solve() }, t("board.solve"));
  const publishButton = h("button", { type: "button", "data-test": "publish", disabled: true, onclick: () => publish() }, t("board.publish"));
  const pendingNote = h("span", { class: "pending-note", hidden: true, "data-test": "pending" });

  mount(
    root,
    h(
      "div",
      { class: "toolbar" },
      h("h1", {}, t("nav.board"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)),
      h("span", { class: "spacer" }),
      h("button", { type: "button", class: "small", "aria-label": t("board.prevWeek"), onclick: () => go("board", { week: addDays(state.week, -7) }) }, "‹"),
      weekInput,
      h("button", { type: "button", class: "small", "aria-label": t("board.nextWeek"), onclick: () => go("board", { week: addDays(state.week, 7) }) }, "›"),
      h("button", { type: "button", class: "small", onclick: () => go("board", { week: mondayOf(today()) }) }, t("board.thisWeek")),
      h("label", { class: "inline" }, t("board.timeLimit"), timeLimit),
      pendingNote,
      solveButton,
      publishButton,
      h("button", { type: "button", "data-test": "print-notice", onclick: () => go("notice", { week: state.week, grid: state.grid }) }, t("board.printNotice")),
    ),
    status,
    progress,
    moves,
    h("div", { class: "board-bar" }, summary, filterBar),
    h("p", { class: "muted small-text keys-hint" }, t("board.keys")),
    h("div", { class: "board-body" }, days, panel),
  );

  // loading -----------------------------------------------------------------------------
  async function load() {
    try {
      state.board = await api(weekPath());
    } catch (error) {
      mount(days, h("div", { class: "error" }, error.message));
      return;
    }
    const runId = shownRunId();
    state.run = runId ? await api(`/runs/${runId}`).catch(() => null) : null;
    draw();
    if (state.board.solving_run_id && progress.hidden) follow(state.board.solving_run_id);
    if (state.open) {
      const again = state.board.demands.find((d) => key(d) === key(state.open));
      if (again) openPanel(again);
    }
  }

  /** The run the board shows: the draft, else the published plan. */
  function shownRunId() {
    return state.board.draft_run_id || state.board.published_run_id;
  }

  function showPending() {
    pendingNote.hidden = state.pending === 0;
    pendingNote.textContent = t("board.pending", { n: state.pending });
  }

  function draw() {
    const { board } = state;
    const draft = board.draft_run_id;
    solveButton.textContent = draft || board.published_run_id ? t("board.resolve") : t("board.solve");
    solveButton.disabled = Boolean(board.solving_run_id);
    publishButton.disabled = !draft || Boolean(board.solving_run_id);
    showPending();

    mount(
      status,
      draft ? h("span", { class: "badge draft" }, t("board.draftRun", { id: draft })) : null,
      board.published_run_id ? h("span", { class: "badge published" }, t("board.publishedRun", { id: board.published_run_id })) : null,
      !draft && !board.published_run_id ? h("span", { class: "muted" }, t("board.noRun")) : null,
      state.run && state.run.wall_time_s !== null && state.run.wall_time_s !== undefined
        ? h("span", { class: "muted small-text" }, t("board.solveTime", { seconds: number(state.run.wall_time_s, 1) }))
        : null,
      ...(state.run ? state.run.warnings : []).map((warning) => h("span", { class: "badge partial" }, pick(warning))),
    );

    // the counts are of what the grid and kind filters leave; a count shows only its colour
    const narrowed = board.demands.filter((d) =>
      (!state.grid || String(d.grid_id) === state.grid) && (!state.kind || d.demand_kind === state.kind));
    const shown = narrowed.filter((d) =>
      (!state.fill || d.fill === state.fill) && (!state.gapsOnly || d.fill !== "full") && matches(d));
    const counts = Object.fromEntries(FILLS.map((fill) => [fill, narrowed.filter((d) => d.fill === fill).length]));
    mount(
      summary,
      FILLS.map((fill) => h("button", {
        type: "button",
        class: `legend-item ${fill}${state.fill === fill ? " chosen" : ""}`,
        "aria-pressed": state.fill === fill ? "true" : "false",
        "data-fill": fill,
        title: t("board.countHint"),
        onclick: () => { state.fill = state.fill === fill ? "" : fill; draw(); },
      }, h("span", { class: `swatch ${fill}` }), `${t(`fill.${fill}`)} ${counts[fill]}`)),
    );
    days.classList.toggle("list", state.view === "list");

    // drawn again (the board read anew, a filter changed), the keys stay on the same card
    const focusedCard = days.contains(document.activeElement) && document.activeElement.dataset.demand;
    const byDay = new Map(Array.from({ length: 7 }, (_, index) => [addDays(state.week, index), []]));
    for (const demand of shown) {
      if (byDay.has(demand.day)) byDay.get(demand.day).push(demand);
    }
    mount(
      days,
      [...byDay.entries()].map(([day, demands], index) =>
        h(
          "section",
          { class: "day", "data-day": day },
          h("h2", {}, weekdayShort(index), h("span", { class: "muted" }, ` ${shortDay(day)}`)),
          demands.length
            ? h("div", { class: "day-slots" }, demands.sort((a, b) => a.starts_at.localeCompare(b.starts_at)).map(slotCard))
            : h("p", { class: "muted small-text" }, t("board.nothing")),
        ),
      ),
    );
    if (!board.demands.length) {
      days.prepend(h("p", { class: "notice wide-note" }, t("board.empty")));
    }
    if (focusedCard) {
      const again = days.querySelector(`.slot[data-demand="${focusedCard}"]`);
      if (again) again.focus();
    }
  }

  function key(demand) {
    return `${demand.demand_kind}:${demand.demand_id}`;
  }

  /** Whether a demand's title or one of its people's names holds the search box's words. */
  function matches(demand) {
    if (!state.q) return true;
    return demand.title.includes(state.q) || demand.people.some((person) => person.person_name.includes(state.q));
  }

  // the keyboard ------------------------------------------------------------------------
  const cards = () => [...days.querySelectorAll(".slot")];

  function focusCard(card) {
    if (!card) return;
    card.focus();
    card.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /** The card an arrow key leads to from ``card``: ↑↓ in its day, ←→ to the nearest day
   * that has cards, at the same place in the day or its last card. */
  function neighbour(card, arrow) {
    const dayCards = (day) => [...day.querySelectorAll(".slot")];
    const day = card.closest(".day");
    const inDay = dayCards(day);
    const index = inDay.indexOf(card);
    if (arrow === "ArrowDown" || arrow === "ArrowUp") {
      const all = cards();
      const at = all.indexOf(card) + (arrow === "ArrowDown" ? 1 : -1);
      return all[at] || null;
    }
    const allDays = [...days.querySelectorAll(".day")];
    const step = arrow === "ArrowRight" ? 1 : -1;
    for (let at = allDays.indexOf(day) + step; at >= 0 && at < allDays.length; at += step) {
      const there = dayCards(allDays[at]);
      if (there.length) return there[Math.min(index, there.length - 1)];
    }
    return null;
  }

  /** The next card with a gap after the focused one (from the first when none is), round. */
  function nextGap() {
    const all = cards();
    const from = all.indexOf(document.activeElement);
    const gaps = all.filter((card) => card.dataset.fill !== "full");
    if (!gaps.length) {
      toast(t("board.noGap"));
      return;
    }
    focusCard(gaps.find((card) => all.indexOf(card) > from) || gaps[0]);
  }

  function closePanel() {
    const open = state.open;
    panel.hidden = true;
    state.open = null;
    for (const card of days.querySelectorAll(".slot.selected")) card.classList.remove("selected");
    if (open) focusCard(days.querySelector(`.slot[data-demand="${key(open)}"]`));
  }

  function onKey(event) {
    // the listener belongs to this board: gone once another page (or week) replaced it
    if (!root.isConnected) {
      document.removeEventListener("keydown", onKey);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
    const typing = event.target.closest && event.target.closest("input, select, textarea");
    if (event.key === "Escape") {
      if (!panel.hidden) {
        event.preventDefault();
        closePanel();
      } else if (typing === search && search.value) {
        search.value = "";
        state.q = "";
        draw();
      }
      return;
    }
    if (typing) return;
    const card = event.target.closest && event.target.closest(".slot");
    if (event.key === "/") {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "g" || event.key === "G") {
      event.preventDefault();
      nextGap();
    } else if (event.key.startsWith("Arrow")) {
      if (!card) {
        // from anywhere else on the board, an arrow starts at the first card
        if (!days.contains(event.target) && event.target !== document.body) return;
        event.preventDefault();
        focusCard(cards()[0]);
        return;
      }
      event.preventDefault();
      focusCard(neighbour(card, event.key));
    }
  }
  document.addEventListener("keydown", onKey);

  function slotCard(demand) {
    const needed = demand.roles.reduce((sum, role) => sum + role.needed, 0);
    const filled = demand.roles.reduce((sum, role) => sum + role.filled, 0);
    return h(
      "button",
      {
        type: "button",
        class: `slot ${demand.fill}${state.open && key(state.open) === key(demand) ? " selected" : ""}`,
        "data-demand": key(demand),
        "data-title": demand.title,
        "data-fill": demand.fill,
        onclick: () => openPanel(demand),
      },
      h("span", { class: "slot-time" }, when(demand)),
      h("span", { class: "slot-kind" }, t(`demand.${demand.demand_kind}`)),
      h("span", { class: "slot-title" }, shortTitle(demand.title)),
      h("span", { class: "slot-fill" }, `${filled}/${needed}`),
      demand.people.length
        ? h("span", { class: "slot-people" }, demand.people.map((person) => h("span", { class: person.pinned ? "person pinned" : "person" }, person.person_name)))
        : null,
      demand.gap_reason ? h("span", { class: "slot-gap" }, pick(demand.gap_reason)) : null,
    );
  }

  // the slot panel ----------------------------------------------------------------------
  function openPanel(demand) {
    state.open = demand;
    for (const card of days.querySelectorAll(".slot")) card.classList.toggle("selected", card.dataset.demand === key(demand));
    panel.hidden = false;
    const roleChoice = select(
      { "aria-label": t("board.role"), "data-test": "role", onchange: () => loadCandidates() },
      demand.roles.map((role) => [role.role, `${roleName(role)} · ${role.filled}/${role.needed}`]),
      demand.roles.length ? demand.roles[0].role : 0,
    );
    const reason = h("input", { type: "text", maxlength: 200, placeholder: t("board.reasonHint"), "data-test": "override-reason" });
    const candidates = h("div", { class: "candidates", "data-test": "candidates", "data-state": "loading" }, h("p", {}, t("common.loading")));
    const nearMisses = h("div", { class: "near-misses", "data-test": "near-misses", "data-state": "idle" });
    let nearLoaded = false;
    const nearSection = h("details", { class: "near-miss-section", "data-test": "near-miss-section", ontoggle: () => { if (nearSection.open) loadNearMisses(); } },
      h("summary", {}, t("board.nearMisses")),
      nearMisses,
    );
    let fetched = [];
    const find = h("input", {
      type: "search",
      placeholder: t("board.findPerson"),
      "aria-label": t("board.findPerson"),
      "data-test": "candidate-filter",
      oninput: () => showCandidates(),
    });

    // the best few are shown; a name typed in the search box looks through all fetched
    function showCandidates() {
      const wanted = find.value.trim();
      const rows = wanted ? fetched.filter((row) => row.name.includes(wanted)) : fetched.slice(0, CANDIDATES_SHOWN);
      candidates.dataset.state = "ready";
      mount(candidates, candidateTable(rows, override, assignNow), !wanted && fetched.length > CANDIDATES_SHOWN
        ? h("p", { class: "muted small-text" }, t("board.moreCandidates", { n: fetched.length - CANDIDATES_SHOWN }))
        : null);
    }
    const overridesHere = (state.run ? state.run.overrides : []).filter(
      (o) => o.demand_kind === demand.demand_kind && o.demand_id === demand.demand_id,
    );

    /** Make or withdraw an override: counted for the next solve, and the panel shown again. */
    async function change(request, message) {
      try {
        await request();
        state.pending += 1;
        showPending();
        toast(message);
        const runId = shownRunId();
        if (runId) state.run = await api(`/runs/${runId}`).catch(() => state.run);
        openPanel(demand);
      } catch (error) {
        toast(error.message, { bad: true });
      }
    }

    /** A change by hand: applied at once, the board drawn again without a re-solve. */
    async function direct(request, message) {
      try {
        await request();
        toast(message);
        await load();
      } catch (error) {
        toast(error.message, { bad: true });
      }
    }

    function assignNow(personId, name, anyway = false) {
      const why = reason.value.trim();
      if (anyway && !why) {
        toast(t("board.reasonNeeded"), { bad: true });
        reason.focus();
        return Promise.resolve();
      }
      return direct(
        () => api(`${weekPath()}/assignments`, {
          method: "POST",
          json: { person_id: personId, demand_kind: demand.demand_kind, demand_id: demand.demand_id, role: Number(roleChoice.value), reason: why },
        }),
        t(anyway ? "board.done.anyway" : "board.done.assign", { name }),
      );
    }

    function takeOff(person) {
      return direct(
        () => api(`/assignments/${person.assignment_id}/remove`, { method: "POST", json: { reason: reason.value.trim() } }),
        t("board.done.unassign", { name: person.person_name }),
      );
    }

    function override(kind, personId, name) {
      return change(
        () => api(`${weekPath()}/overrides`, {
          method: "POST",
          json: { kind, person_id: personId, demand_kind: demand.demand_kind, demand_id: demand.demand_id, reason: reason.value.trim() },
        }),
        t(`board.done.${kind}`, { name }),
      );
    }

    async function loadCandidates() {
      try {
        fetched = await api(`${weekPath()}/demands/${demand.demand_kind}/${demand.demand_id}/candidates`, {
          query: { role: roleChoice.value, limit: CANDIDATES_FETCHED },
        });
        showCandidates();
      } catch (error) {
        candidates.dataset.state = "failed";
        mount(candidates, h("div", { class: "error" }, error.message));
        return;
      }
      nearLoaded = false;
      // a gap nobody free can fill: show who is nearly eligible straight away
      if (nearSection.open) loadNearMisses();
      else if (demand.fill !== "full" && !fetched.some((row) => !row.assigned)) nearSection.open = true;
    }

    /** Who one rule keeps off the seat; asked for when the section is opened. */
    async function loadNearMisses() {
      if (nearLoaded) return;
      nearLoaded = true;
      nearMisses.dataset.state = "loading";
      mount(nearMisses, h("p", {}, t("common.loading")));
      try {
        const missed = await api(`${weekPath()}/demands/${demand.demand_kind}/${demand.demand_id}/near-misses`, {
          query: { role: roleChoice.value },
        });
        nearMisses.dataset.state = "ready";
        mount(nearMisses, nearMissGroups(missed, assignNow));
      } catch (error) {
        nearMisses.dataset.state = "failed";
        nearLoaded = false;
        mount(nearMisses, h("div", { class: "error" }, error.message));
      }
    }

    mount(
      panel,
      h("div", { class: "panel-head" },
        h("h2", {}, demand.title),
        h("button", { type: "button", class: "small", "aria-label": t("common.close"), "aria-keyshortcuts": "Escape", onclick: closePanel }, "×"),
      ),
      h("p", { class: "muted" },
        `${t(`demand.${demand.demand_kind}`)} · ${shortDay(demand.day)} ${when(demand)}`,
        demand.place ? ` · ${demand.place}` : "",
      ),
      h("p", {},
        h("span", { class: `badge ${demand.fill}` }, t(`fill.${demand.fill}`)),
        demand.essential ? h("span", { class: "badge" }, t("board.essential")) : null,
      ),
      demand.gap_reason ? h("p", { class: "gap-reason" }, t("board.gap"), "：", pick(demand.gap_reason)) : null,
      h("ul", { class: "role-list" }, demand.roles.map((role) =>
        h("li", { class: role.filled >= role.needed ? "full" : role.filled > 0 ? "partial" : "empty" },
          h("span", {}, roleName(role)),
          h("span", { class: "muted" }, ` ${role.filled}/${role.needed}`),
          role.essential ? h("span", { class: "muted small-text" }, ` · ${t("board.essentialHeads", { n: role.essential })}`) : null,
          role.gap_reason && pick(role.gap_reason) !== pick(demand.gap_reason) ? h("div", { class: "gap-reason small-text" }, pick(role.gap_reason)) : null,
        ))),
      h("h3", {}, t("board.assigned")),
      demand.people.length
        ? h("ul", { class: "people-list", "data-test": "assigned-people" }, demand.people.map((person) =>
            h("li", {},
              h("span", {}, person.person_name),
              person.override_reason
                ? h("span", { class: "badge override", "data-test": "override-mark", title: person.override_reason }, person.override_reason.startsWith("破例") ? t("board.override") : t("board.byHand"))
                : person.pinned ? h("span", { class: "badge" }, t("board.pinned")) : null,
              h("span", { class: `badge ${person.status}` }, t(`assignment.${person.status}`)),
              h("span", { class: "spacer" }),
              person.status === "done" ? null
                : h("button", { type: "button", class: "small danger", "data-test": "unassign", onclick: () => takeOff(person) }, t("board.unassign")),
              person.override_reason ? h("span", { class: "muted small-text override-reason" }, person.override_reason) : null,
            ),
          ))
        : h("p", { class: "muted" }, t("board.nobody")),
      overridesHere.length
        ? h("div", {},
            h("h3", {}, t("board.overrides")),
            h("ul", { class: "people-list" }, overridesHere.map((o) =>
              h("li", {},
                h("span", { class: "badge" }, t(`override.${o.kind}`)),
                h("span", {}, o.person_name),
                o.reason ? h("span", { class: "muted small-text" }, o.reason) : null,
                h("span", { class: "spacer" }),
                h("button", { type: "button", class: "small", "data-test": "withdraw", onclick: () =>
                  change(() => api(`/overrides/${o.id}`, { method: "DELETE" }), t("board.withdrawn")) }, t("board.withdraw")),
              ),
            )),
          )
        : null,
      h("h3", {}, t("board.candidates")),
      h("div", { class: "field-row" }, demand.roles.length > 1 ? h("label", {}, t("board.role"), roleChoice) : null, h("label", {}, t("board.find"), find), h("label", { class: "grow" }, t("board.reason"), reason)),
      h("p", { class: "muted small-text" }, t("board.overrideHint")),
      candidates,
      nearSection,
    );
    loadCandidates();
  }

  /** People one rule keeps off the seat, under a heading per rule, each to assign anyway. */
  function nearMissGroups(missed, assignNow) {
    if (!missed.length) return h("p", { class: "muted" }, t("board.noNearMisses"));
    const groups = new Map();
    for (const row of missed) {
      if (!groups.has(row.rule)) groups.set(row.rule, []);
      groups.get(row.rule).push(row);
    }
    // the first group open, and all of them when there are few
    return [...groups.entries()].map(([rule, rows], index) =>
      h("details", { class: "near-miss-group", "data-rule": rule, open: index === 0 || groups.size <= 3 },
        h("summary", {}, `${t(`nearMiss.${rule}`)} · ${rows.length}`),
        h("ul", { class: "near-miss-list" }, rows.map((row) =>
          h("li", { "data-person": row.person_id },
            h("div", { class: "near-miss-who" },
              h("strong", {}, row.name),
              h("span", { class: "muted small-text" }, ` ${t(`kind.${row.kind}`)} · ${metres(row.distance_m)}`),
            ),
            h("div", { class: "near-miss-why" }, pick(row.why)),
            h("div", { class: "muted small-text" }, pick(row.consequence)),
            h("button", { type: "button", class: "small", "data-test": "assign-anyway", onclick: () => assignNow(row.person_id, row.name, true) }, t("board.assignAnyway")),
          ))),
      ));
  }

  function candidateTable(rows, override, assign) {
    if (!rows.length) return h("p", { class: "muted" }, t("board.noCandidates"));
    return h(
      "table",
      { class: "candidate-table" },
      h("thead", {}, h("tr", {},
        h("th", { class: "num" }, "#"),
        h("th", {}, t("board.person")),
        h("th", { class: "num" }, t("board.distance")),
        h("th", { class: "num" }, t("board.quarter")),
        h("th", { class: "num" }, t("board.hoursWeek")),
        h("th", {}, t("board.why")),
        h("th", {}, ""),
      )),
      h("tbody", {}, rows.map((row) =>
        h("tr", { "data-person": row.person_id, class: row.assigned ? "assigned" : null },
          h("td", { class: "num" }, row.rank),
          h("td", {}, h("div", {}, row.name), h("div", { class: "muted small-text" }, t(`kind.${row.kind}`), row.assigned ? ` · ${t("board.assignedHere")}` : "")),
          h("td", { class: "num" }, metres(row.distance_m)),
          h("td", { class: "num" }, row.services_this_quarter),
          h("td", { class: "num" }, number(row.hours_this_week, 1)),
          h("td", {}, h("ul", { class: "reasons" }, row.reasons.map((reason) => h("li", {}, pick(reason))))),
          h("td", { class: "row-actions" },
            h("button", { type: "button", class: "small", "data-test": "pin", onclick: () => override("pin", row.person_id, row.name) }, t("board.pin")),
            h("button", { type: "button", class: "small", "data-test": "forbid", onclick: () => override("forbid", row.person_id, row.name) }, t("board.forbid")),
            row.assigned
              ? null
              : h("button", { type: "button", class: "small", "data-test": "assign", onclick: () => assign(row.person_id, row.name) }, t("board.assign")),
          ),
        ),
      )),
    );
  }

  // solving and publishing --------------------------------------------------------------
  function showProgress(fraction, label) {
    const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    progress.hidden = false;
    mount(
      progress,
      h("div", { class: "progress-label" }, label, h("span", { class: "muted" }, ` ${percent}%`)),
      h("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": percent, "aria-label": t("board.progress") },
        h("div", { style: { width: `${percent}%` } })),
    );
    progress.dataset.state = fraction >= 1 ? "done" : "solving";
  }

  async function solve() {
    solveButton.disabled = true;
    publishButton.disabled = true;
    moves.hidden = true;
    try {
      const accepted = await api(`${weekPath()}/solve`, { method: "POST", query: { time_limit_s: timeLimit.value } });
      follow(accepted.run_id);
    } catch (error) {
      toast(error.message, { bad: true });
      solveButton.disabled = false;
      publishButton.disabled = !(state.board && state.board.draft_run_id);
    }
  }

  async function follow(runId) {
    solveButton.disabled = true;
    publishButton.disabled = true;
    progress.dataset.run = String(runId);
    showProgress(0, t("board.queued"));
    let run;
    for (;;) {
      try {
        run = await api(`/runs/${runId}`);
      } catch (error) {
        progress.dataset.state = "failed";
        mount(progress, h("div", { class: "error" }, error.message));
        return;
      }
      // queued until the worker process takes it up, then solving with its progress
      if (run.status !== "queued" && run.status !== "solving") break;
      showProgress(run.progress, t(run.status === "queued" ? "board.queued" : "board.solving"));
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (!root.isConnected) return; // the coordinator went to another page
    }
    if (run.status === "failed") {
      progress.dataset.state = "failed";
      mount(progress, h("div", { class: "error" }, t("board.failed"), "\n", run.failure_reason || ""));
      solveButton.disabled = false;
      return;
    }
    showProgress(1, t("board.solved", { seconds: number(run.wall_time_s, 1) }));
    state.pending = 0;
    await showMoves(runId);
    await load();
  }

  async function showMoves(runId) {
    let answer;
    try {
      answer = await api(`/runs/${runId}/moves`);
    } catch (error) {
      mount(moves, h("div", { class: "error" }, error.message));
      moves.hidden = false;
      return;
    }
    const added = answer.moved.filter((m) => m.change === "added");
    const removed = answer.moved.filter((m) => m.change === "removed");
    // taken off one role of a demand and put on another of the same demand: one line
    const sameDemand = (a, b) => a.person_id === b.person_id && a.demand_kind === b.demand_kind && a.demand_id === b.demand_id;
    const roleChanges = added.filter((a) => removed.some((r) => sameDemand(a, r)));
    const lines = [
      ...answer.moved.filter((m) => !roleChanges.some((c) => sameDemand(c, m))),
      ...roleChanges.map((m) => ({ ...m, change: "moved" })),
    ];
    const signs = { added: "+", removed: "−", moved: "⇄" };
    const line = (move) =>
      h("li", { class: move.change, "data-person": move.person_id },
        h("span", { class: "sign" }, signs[move.change]),
        h("strong", {}, move.person_name),
        move.change === "added" ? ` → ${move.title}` : move.change === "removed" ? ` ← ${move.title}` : ` ${move.title}（${t("board.roleChanged")}）`,
      );
    mount(
      moves,
      h("div", { class: "panel-head" },
        h("h2", {}, t("board.moves")),
        h("button", { type: "button", class: "small", "aria-label": t("common.close"), onclick: () => { moves.hidden = true; } }, "×"),
      ),
      answer.against_run_id
        ? h("p", { class: "muted" }, t("board.movesAgainst", { id: answer.against_run_id, added: added.length, removed: removed.length }))
        : h("p", { class: "muted" }, t("board.firstDraft")),
      movedList(lines.map(line), Boolean(answer.against_run_id)),
    );
    moves.hidden = false;
  }

  /** The moves, the first few shown and the rest folded away (a first draft moves everyone). */
  function movedList(lines, compared) {
    if (!lines.length) return compared ? h("p", {}, t("board.nothingMoved")) : null;
    if (lines.length <= MOVES_SHOWN) return h("ul", { class: "move-list" }, lines);
    return h("div", {},
      h("ul", { class: "move-list" }, lines.slice(0, MOVES_SHOWN)),
      h("details", {}, h("summary", {}, t("board.moreMoves", { n: lines.length - MOVES_SHOWN })), h("ul", { class: "move-list" }, lines.slice(MOVES_SHOWN))),
    );
  }

  /** Publishing is a decision: first say who will be told of what, then publish on "确认发布". */
  async function publish() {
    const runId = state.board && state.board.draft_run_id;
    if (!runId) return;
    let preview;
    try {
      preview = await api(`/runs/${runId}/publish-preview`);
    } catch (error) {
      toast(error.message, { bad: true });
      return;
    }
    const dialog = h("dialog", { class: "confirm card", "data-test": "publish-dialog", "aria-label": t("publish.title") });
    const close = () => { dialog.close(); dialog.remove(); };
    const line = (person) =>
      h("li", { "data-person": person.person_id },
        h("strong", {}, person.person_name),
        person.added.length ? h("span", { class: "added" }, ` ${t("publish.gets")}：${person.added.join("、")}`) : null,
        person.removed.length ? h("span", { class: "removed" }, ` ${t("publish.loses")}：${person.removed.join("、")}`) : null,
      );
    mount(dialog,
      h("h2", {}, t("publish.title")),
      // tasks already over are never told (messages.publish_changes): perhaps nobody is
      h("p", { "data-test": "publish-summary" }, !preview.told.length
        ? t("publish.nobody")
        : preview.replaces_run_id
          ? t("publish.correction", { id: preview.replaces_run_id, n: preview.told.length, same: preview.unchanged_people })
          : t("publish.first", { n: preview.told.length })),
      preview.told.length ? h("ul", { class: "told-list" }, preview.told.map(line)) : null,
      h("div", { class: "dialog-actions" },
        h("button", { type: "button", "data-test": "publish-cancel", onclick: close }, t("publish.cancel")),
        h("button", { type: "button", class: "primary", "data-test": "publish-confirm", onclick: async () => { close(); await publishNow(runId); } }, t("publish.confirm")),
      ),
    );
    root.append(dialog);
    dialog.showModal();
  }

  async function publishNow(runId) {
    publishButton.disabled = true;
    try {
      await api(`/runs/${runId}/publish`, { method: "POST" });
      // the label says so at once; the board is read again behind it
      state.board = { ...state.board, published_run_id: runId, draft_run_id: null };
      draw();
      toast(t("board.published", { id: runId }));
      await load();
    } catch (error) {
      toast(error.message, { bad: true });
      publishButton.disabled = false;
    }
  }

  api(`/communities/${cid}/grids`).then((grids) => {
    state.grids = grids;
    gridChoice.append(...grids.map((grid) => h("option", { value: String(grid.id) }, grid.name)));
  }).catch(() => null).finally(() => load());
  return root;
}
