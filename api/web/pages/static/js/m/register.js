// 报到: a party member or volunteer registers with the community where they live
// (POST /registrations), in about a minute. What scheduling needs comes first (name, phone —
// the login —, password, community, home, skills, usual free times); the rest folds under
// 更多信息（选填）. Anyone may open it; a community's QR code opens it with the community
// chosen (#/register?community=3); the privacy notice must be accepted. The home is the estate and building picked from the
// community's place directory (GET /communities/{cid}/home-places), or the phone's location.

import { api, ApiError } from "../api.js";
import { h, mount, select } from "../dom.js";
import { SKILL_NAMES, pick, skillLabel, t } from "../i18n.js";
import { go } from "../router.js";
import { rememberUsername } from "../login.js";
import { placePicker } from "../places.js";

const FIELD_LABELS = {
  phone: "register.phone",
  password: "register.password",
  name: "register.name",
  kind: "register.kind",
  community_id: "register.community",
  grid_id: "register.grid",
  home: "register.home",
  home_place_id: "register.home",
  "home.lat": "register.lat",
  "home.lng": "register.lng",
  work_unit: "register.workUnit",
  work_unit_id: "register.workUnit",
  skills: "register.skills",
  availability: "register.freeTime",
  weekly_hours_cap: "register.hoursCap",
  "consent.accepted": "register.consentField",
  "consent.version": "register.consentField",
};

/** The usual free times offered as one tap each: the weekly windows they stand for. */
const FREE_TIMES = {
  weekdayEvening: [0, 1, 2, 3, 4].map((weekday) => ({ weekday, start: "19:00", end: "21:00" })),
  saturdayMorning: [{ weekday: 5, start: "08:30", end: "12:00" }],
  saturdayAfternoon: [{ weekday: 5, start: "14:00", end: "17:30" }],
  sundayMorning: [{ weekday: 6, start: "08:30", end: "12:00" }],
  sundayAfternoon: [{ weekday: 6, start: "14:00", end: "17:30" }],
};

/** One line per bad field, named as the form names it. */
function explain(error) {
  if (error instanceof ApiError && Array.isArray(error.detail)) {
    return error.detail
      .map((item) => {
        const label = FIELD_LABELS[item.field] ? t(FIELD_LABELS[item.field]) : item.field;
        return `${label}：${item.msg}`;
      })
      .join("\n");
  }
  return error.message;
}

/** The form; ``params.community`` (from a community's QR code) chooses the community. */
export function render(params = {}) {
  const root = h("section", { class: "stack", "data-page": "register" }, h("p", {}, t("common.loading")));
  Promise.all([
    api("/communities", { auth: false }),
    api("/privacy-notice", { auth: false }),
    api("/work-units", { auth: false }),
  ])
    .then(([communities, notice, units]) => mount(root, ...form(communities, notice, units, params.community)))
    .catch((error) => mount(root, h("div", { class: "error" }, error.message)));
  return root;
}

function chips(name, values, label) {
  return h(
    "div",
    { class: "chips" },
    values.map((value) => h("label", { class: "chip" }, h("input", { type: "checkbox", name, value }), h("span", {}, label(value)))),
  );
}

function form(communities, notice, units, chosenCommunity) {
  const name = h("input", { type: "text", name: "name", autocomplete: "name", required: true });
  const phone = h("input", { type: "tel", name: "phone", autocomplete: "tel", inputmode: "numeric", maxlength: 13, required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", required: true, minlength: 8 });
  const kind = h(
    "div",
    { class: "segmented", role: "radiogroup" },
    ["party_member", "volunteer"].map((value, index) =>
      h(
        "label",
        { class: "segment" },
        h("input", { type: "radio", name: "kind", value, checked: index === 0 }),
        h("span", {}, t(`kind.${value}`)),
      ),
    ),
  );
  const community = select(
    { name: "community_id", required: true },
    communities.map((c) => [c.id, `${c.name}（${c.street}）`]),
    communities.some((c) => String(c.id) === String(chosenCommunity)) ? chosenCommunity : undefined,
  );
  const grid = h("select", { name: "grid_id" });
  const fillGrids = () => {
    const chosen = communities.find((c) => String(c.id) === community.value);
    mount(
      grid,
      h("option", { value: "" }, t("register.gridNearest")),
      (chosen ? chosen.grids : []).map((g) => h("option", { value: String(g.id) }, g.name)),
    );
  };
  community.addEventListener("change", fillGrids);
  fillGrids();

  // the estate and building of home, from the chosen community's place directory
  const homeSlot = h("div", { "data-test": "home-places" });
  let homePicker = null;
  const fillHomes = async () => {
    homePicker = null;
    mount(homeSlot);
    const homes = await api(`/communities/${community.value}/home-places`, { auth: false }).catch(() => []);
    if (!homes.length) return;
    homePicker = placePicker(homes, { venues: false, prefix: "home" });
    mount(homeSlot, homePicker.element);
  };
  community.addEventListener("change", fillHomes);
  fillHomes();

  const lat = h("input", { type: "number", name: "lat", step: "any", min: -90, max: 90, inputmode: "decimal" });
  const lng = h("input", { type: "number", name: "lng", step: "any", min: -180, max: 180, inputmode: "decimal" });
  const locating = h("span", { class: "muted small-text" });
  const locate = h(
    "button",
    {
      type: "button",
      class: "wide",
      "data-test": "use-location",
      onclick: () => {
        if (!navigator.geolocation) {
          locating.textContent = t("register.noGeolocation");
          return;
        }
        locating.textContent = t("register.locating");
        navigator.geolocation.getCurrentPosition(
          (position) => {
            lat.value = position.coords.latitude.toFixed(6);
            lng.value = position.coords.longitude.toFixed(6);
            locating.textContent = t("register.located");
          },
          () => {
            locating.textContent = t("register.noGeolocation");
          },
          { enableHighAccuracy: true, timeout: 10_000 },
        );
      },
    },
    t("register.useLocation"),
  );

  const skills = chips("skills", SKILL_NAMES, skillLabel);
  const freeTimes = chips("free", Object.keys(FREE_TIMES), (slot) => t(`register.slot.${slot}`));

  // 更多信息（选填）: what scheduling can do without
  const unit = select({ name: "work_unit_id" }, [["", t("register.workUnitPick")], ...units.map((u) => [u.id, u.name])]);
  const workUnit = h("input", { type: "text", name: "work_unit", autocomplete: "organization", placeholder: t("register.workUnitOther") });
  const hoursCap = h("input", { type: "number", name: "weekly_hours_cap", min: 0, max: 40, step: 0.5, value: 6, inputmode: "decimal" });
  const consent = h("input", { type: "checkbox", name: "consent" });
  const message = h("div", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary wide" }, t("register.submit"));

  const formElement = h(
    "form",
    {
      class: "stack",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        message.hidden = true;
        submit.disabled = true;
        const checkedKind = kind.querySelector("input:checked");
        const body = {
          phone: phone.value.trim(),
          password: password.value,
          name: name.value.trim(),
          kind: checkedKind ? checkedKind.value : "volunteer",
          community_id: Number(community.value),
          skills: [...skills.querySelectorAll("input:checked")].map((box) => box.value),
          availability: [...freeTimes.querySelectorAll("input:checked")].flatMap((box) => FREE_TIMES[box.value]),
          work_unit: workUnit.value.trim(),
          consent: { version: notice.version, accepted: consent.checked },
        };
        const homePlace = homePicker ? homePicker.value() : null;
        if (homePlace) body.home_place_id = homePlace;
        // the phone's location (or coordinates typed), when given, is the more exact
        if (lat.value !== "" || lng.value !== "") {
          body.home = { lat: lat.value === "" ? null : Number(lat.value), lng: lng.value === "" ? null : Number(lng.value) };
        }
        if (grid.value) body.grid_id = Number(grid.value);
        if (unit.value) body.work_unit_id = Number(unit.value);
        if (hoursCap.value !== "") body.weekly_hours_cap = Number(hoursCap.value);
        try {
          await api("/registrations", { method: "POST", json: body, auth: false });
          // the login form opens with the phone filled in
          rememberUsername(body.phone);
          go("login", { registered: "1" });
        } catch (error) {
          message.textContent = explain(error);
          message.hidden = false;
          message.scrollIntoView({ block: "center" });
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("label", {}, t("register.name"), name),
    h("label", {}, t("register.phone"), phone, h("span", { class: "hint" }, t("register.phoneHint"))),
    h("label", {}, t("register.password"), password, h("span", { class: "hint" }, t("register.passwordHint"))),
    h("fieldset", {}, h("legend", {}, t("register.kind")), kind),
    h("label", {}, t("register.community"), community),
    h(
      "fieldset",
      {},
      h("legend", {}, t("register.home")),
      h("p", { class: "hint" }, t("register.homeHint")),
      homeSlot,
      h("p", { class: "hint" }, t("register.homeOr")),
      locate,
      locating,
      h("div", { class: "pair" }, h("label", {}, t("register.lat"), lat), h("label", {}, t("register.lng"), lng)),
    ),
    h("fieldset", {}, h("legend", {}, t("register.skills")), skills),
    h("fieldset", {}, h("legend", {}, t("register.freeTime")), h("p", { class: "hint" }, t("register.freeTimeHint")), freeTimes),
    h(
      "details",
      { class: "more", "data-test": "more" },
      h("summary", {}, t("register.more")),
      h(
        "div",
        { class: "stack" },
        h("label", {}, t("register.workUnit"), unit, workUnit),
        h("label", {}, t("register.grid"), grid),
        h("label", {}, t("register.hoursCap"), hoursCap),
      ),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, t("register.privacy", { version: notice.version })),
      h("details", { class: "notice-fold" }, h("summary", {}, t("register.readNotice")), h("div", { class: "notice-text", tabindex: 0 }, pick(notice))),
      h("label", { class: "check" }, consent, h("span", {}, t("register.consent"))),
    ),
    message,
    submit,
  );
  return [
    h("h1", {}, t("register.title")),
    h("p", { class: "muted" }, t("register.intro")),
    formElement,
    h("p", { class: "center" }, h("a", { href: "#/login" }, t("register.haveAccount"))),
  ];
}
