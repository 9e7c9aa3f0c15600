// 我的空闲时间: the member paints the half hours of a week they are usually free by pressing
// and dragging over the grid (starting on a free cell clears instead), or fills them with one
// tap (工作日晚上, 周末, 周六上午; every weekday like Monday), adds the days they are away
// (请假/不在的日子, which the weekly plan honours), and saves both (PUT /me/availability).
// The grid, the presets and the summary all read and write the same half hours (`days`),
// which windowsOf merges into the windows that are saved.

import { api } from "../api.js";
import { h, mount, toast } from "../dom.js";
import { t, weekdayShort } from "../i18n.js";
import { longDay, today, weekdayOf } from "../format.js";

const SLOTS_PER_DAY = 48; // half hours
const FIRST_HOUR = 6;
const LAST_HOUR = 22; // the last row is 21:30–22:00

function slotsOf(windows) {
  const days = Array.from({ length: 7 }, () => new Uint8Array(SLOTS_PER_DAY));
  for (const window of windows) {
    const start = Math.ceil(toMinutes(window.start) / 30);
    const end = Math.floor(toMinutes(window.end) / 30);
    for (let slot = start; slot < end; slot += 1) days[window.weekday][slot] = 1;
  }
  return days;
}

function toMinutes(clock) {
  const [hours, minutes] = clock.split(":").map(Number);
  return hours * 60 + minutes;
}

function clock(slot) {
  const minutes = slot * 30;
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** Runs of free half hours → [{weekday, start, end}], as the API takes them. */
export function windowsOf(days) {
  const windows = [];
  days.forEach((slots, weekday) => {
    let start = null;
    for (let slot = 0; slot <= SLOTS_PER_DAY; slot += 1) {
      const free = slot < SLOTS_PER_DAY && slots[slot] === 1;
      if (free && start === null) start = slot;
      if (!free && start !== null) {
        windows.push({ weekday, start: clock(start), end: clock(slot) });
        start = null;
      }
    }
  });
  return windows;
}

/** One tap fills these hours (weekday 0 = Monday; hours on the clock, end exclusive). */
export const PRESETS = [
  { key: "weekdayEvenings", weekdays: [0, 1, 2, 3, 4], from: 18, to: 21 },
  { key: "weekends", weekdays: [5, 6], from: 9, to: 18 },
  { key: "saturdayMorning", weekdays: [5], from: 8, to: 12 },
];

export function render() {
  const root = h("section", { class: "stack", "data-page": "availability" }, h("p", {}, t("common.loading")));
  api("/me")
    .then((me) => mount(root, ...page(me.person)))
    .catch((error) => mount(root, h("div", { class: "error" }, error.message)));
  return root;
}

function page(person) {
  const days = slotsOf(person.availability);
  const summary = h("p", { class: "summary", "data-test": "availability-summary" });
  const cells = [];
  // days off before today are kept as they were, but no longer shown
  const first = today();
  const earlier = person.unavailable_dates.filter((day) => day < first);
  const away = new Set(person.unavailable_dates.filter((day) => day >= first));

  const describe = () => {
    const windows = windowsOf(days);
    summary.textContent = windows.length
      ? windows.map((w) => `${weekdayShort(w.weekday)} ${w.start}–${w.end}`).join("，")
      : t("availability.none");
  };

  const paint = (cell) => {
    const free = days[Number(cell.dataset.day)][Number(cell.dataset.slot)] === 1;
    cell.className = free ? "cell on" : "cell off";
    cell.setAttribute("aria-pressed", free ? "true" : "false");
  };

  const letters = t("availability.dayLetters").split(",");
  const grid = h(
    "div",
    { class: "week-grid", role: "grid", "aria-label": t("availability.title"), "data-test": "week-grid" },
    h("div", { class: "corner" }),
    letters.map((letter, weekday) => h("div", { class: "day-head", title: weekdayShort(weekday) }, letter)),
  );
  for (let slot = FIRST_HOUR * 2; slot < LAST_HOUR * 2; slot += 1) {
    // an hour label every two hours, on the row where that hour starts
    grid.append(h("div", { class: "hour-head" }, slot % 4 === 0 ? clock(slot).slice(0, 2) : ""));
    for (let weekday = 0; weekday < 7; weekday += 1) {
      const cell = h("button", {
        type: "button",
        // 0 on the first half of an hour, 1 on the second: the grid marks where hours begin
        "data-half": slot % 2,
        "data-day": weekday,
        "data-slot": slot,
        "aria-label": `${weekdayShort(weekday)} ${clock(slot)}–${clock(slot + 1)}`,
        onclick: (event) => {
          // a pointer already painted this cell; a key press (no pointer) toggles it
          if (event.detail !== 0) return;
          days[weekday][slot] = days[weekday][slot] ? 0 : 1;
          paint(cell);
          describe();
        },
      });
      paint(cell);
      cells.push(cell);
      grid.append(cell);
    }
  }
  describe();
  const repaint = () => {
    for (const cell of cells) paint(cell);
    describe();
  };

  // drag to paint: the first cell pressed decides whether the stroke paints free or clears
  let stroke = null; // { id, value, day, slot }
  const cellAt = (x, y) => {
    const found = document.elementFromPoint(x, y);
    const cell = found && found.closest ? found.closest("[data-slot]") : null;
    return cell && grid.contains(cell) ? cell : null;
  };
  const put = (weekday, slot) => {
    if (days[weekday][slot] === stroke.value) return;
    days[weekday][slot] = stroke.value;
    paint(cells[(slot - FIRST_HOUR * 2) * 7 + weekday]);
  };
  const reach = (cell) => {
    if (!cell || !stroke) return;
    const weekday = Number(cell.dataset.day);
    const slot = Number(cell.dataset.slot);
    if (weekday === stroke.day && slot === stroke.slot) return;
    // a quick swipe may skip rows: fill the gap within the same day
    if (weekday === stroke.day) {
      const step = slot > stroke.slot ? 1 : -1;
      for (let s = stroke.slot + step; s !== slot; s += step) put(weekday, s);
    }
    put(weekday, slot);
    stroke.day = weekday;
    stroke.slot = slot;
    describe();
  };
  grid.addEventListener("pointerdown", (event) => {
    const cell = event.target.closest ? event.target.closest("[data-slot]") : null;
    if (!cell || stroke || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    const weekday = Number(cell.dataset.day);
    const slot = Number(cell.dataset.slot);
    stroke = { id: event.pointerId, value: days[weekday][slot] ? 0 : 1, day: weekday, slot };
    try {
      grid.setPointerCapture(event.pointerId);
    } catch {
      // capture is a nicety: without it the stroke still ends on pointerup over the grid
    }
    put(weekday, slot);
    describe();
  });
  grid.addEventListener("pointermove", (event) => {
    if (stroke && event.pointerId === stroke.id) reach(cellAt(event.clientX, event.clientY));
  });
  const finish = (event) => {
    if (stroke && event.pointerId === stroke.id) stroke = null;
  };
  grid.addEventListener("pointerup", finish);
  grid.addEventListener("pointercancel", finish);
  grid.addEventListener("lostpointercapture", finish);

  const presets = h(
    "div",
    { class: "presets" },
    PRESETS.map((preset) =>
      h(
        "button",
        {
          type: "button",
          class: "preset",
          "data-test": `preset-${preset.key}`,
          onclick: () => {
            for (const weekday of preset.weekdays) days[weekday].fill(1, preset.from * 2, preset.to * 2);
            repaint();
            toast(t("availability.presetDone", { what: t(`availability.preset.${preset.key}`) }));
          },
        },
        h("strong", {}, t(`availability.preset.${preset.key}`)),
        h("span", { class: "muted" }, `${String(preset.from).padStart(2, "0")}:00–${String(preset.to).padStart(2, "0")}:00`),
      ),
    ),
    h(
      "button",
      {
        type: "button",
        class: "preset",
        "data-test": "copy-monday",
        onclick: () => {
          for (let weekday = 1; weekday <= 4; weekday += 1) days[weekday].set(days[0]);
          repaint();
          toast(t("availability.copied"));
        },
      },
      h("strong", {}, t("availability.copyMonday")),
      h("span", { class: "muted" }, t("availability.copyMondayHint")),
    ),
    h(
      "button",
      {
        type: "button",
        class: "preset",
        "data-test": "clear-week",
        onclick: () => {
          for (const slots of days) slots.fill(0);
          repaint();
        },
      },
      h("strong", {}, t("availability.clear")),
    ),
  );

  const awayList = h("ul", { class: "days-off", "data-test": "days-off" });
  const showAway = () => {
    const sorted = [...away].sort();
    mount(
      awayList,
      sorted.length
        ? sorted.map((day) =>
            h(
              "li",
              { class: "day-off", "data-day": day },
              h("span", {}, `${longDay(day)} ${weekdayShort(weekdayOf(day))}`),
              h(
                "button",
                {
                  type: "button",
                  class: "small",
                  "aria-label": t("availability.removeDayOff", { day: longDay(day) }),
                  onclick: () => {
                    away.delete(day);
                    showAway();
                  },
                },
                "×",
              ),
            ),
          )
        : h("li", { class: "muted" }, t("availability.noDaysOff")),
    );
  };
  showAway();
  const dayInput = h("input", { type: "date", name: "day_off", min: first, "aria-label": t("availability.dayOff") });
  const addAway = h(
    "form",
    {
      class: "add-day-off",
      onsubmit: (event) => {
        event.preventDefault();
        const day = dayInput.value;
        if (!day) return;
        if (day < first) {
          toast(t("availability.dayOffPast"), { bad: true });
          return;
        }
        away.add(day);
        dayInput.value = "";
        showAway();
      },
    },
    dayInput,
    h("button", { type: "submit", "data-test": "add-day-off" }, t("availability.addDayOff")),
  );

  const save = h(
    "button",
    {
      type: "button",
      class: "primary wide",
      "data-test": "save-availability",
      onclick: async () => {
        save.disabled = true;
        try {
          await api("/me/availability", {
            method: "PUT",
            // the dates one cannot serve are replaced too: those shown, and the earlier ones
            json: { availability: windowsOf(days), unavailable_dates: [...earlier, ...[...away].sort()] },
          });
          toast(t("availability.saved"));
        } catch (error) {
          toast(error.message, { bad: true });
        } finally {
          save.disabled = false;
        }
      },
    },
    t("availability.save"),
  );

  return [
    h("h1", {}, t("availability.title")),
    h("h2", {}, t("availability.quick")),
    presets,
    h("p", { class: "muted" }, t("availability.hint")),
    h("div", { class: "legend" }, h("span", { class: "cell on" }), t("availability.free"), h("span", { class: "cell off" }), t("availability.busy")),
    grid,
    h("h2", {}, t("availability.summary")),
    summary,
    h("h2", {}, t("availability.daysOff")),
    h("p", { class: "muted" }, t("availability.daysOffHint")),
    awayList,
    addAway,
    h("div", { class: "sticky-actions" }, save),
  ];
}
