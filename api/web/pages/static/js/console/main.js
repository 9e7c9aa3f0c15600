// The coordinator console (/console/): log in, pick a community, and work on its week.
// Routes: #/login, #/board (排班周表), #/wishes (微心愿), #/map (地图), #/people (人员),
// #/hours (待认可时长), #/pairs (结对), #/teams (团队), #/dashboard (统计), #/year (全年日历),
// #/places (地点库), #/units (工作单位), #/settings (社区设置), #/audit (操作记录) — hours, places, units, settings and
// the audit log for coordinators and street admins only — and #/notice (公示栏, the week to print,
// opened from the board). Each page module
// renders itself from the API; switching language or community renders the page again.

import { api, forgetToken, token, whenUnauthorized } from "../api.js";
import { h, mount, select } from "../dom.js";
import { setZone } from "../format.js";
import { langToggle, onLangChange, t } from "../i18n.js";
import { loginForm } from "../login.js";
import { current, go, start } from "../router.js";
import * as board from "./board.js";
import * as dashboard from "./dashboard.js";
import * as map from "./map.js";
import * as notice from "./notice.js";
import * as audit from "./audit.js";
import * as hours from "./hours.js";
import * as pairs from "./pairs.js";
import * as people from "./people.js";
import * as places from "./places.js";
import * as settings from "./settings.js";
import * as teams from "./teams.js";
import * as units from "./units.js";
import * as wishes from "./wishes.js";
import * as year from "./year.js";

const PAGES = { board, wishes, map, people, hours, pairs, teams, dashboard, year, places, units, settings, audit, notice };
/** Pages offered to some roles only: a tab shows when ``allowed(me)`` says so; a page with
 * ``inMenu`` false (the printable notice) is opened from another page, never from a tab. */
const offered = (name) => (!PAGES[name].allowed || PAGES[name].allowed(session.me)) && PAGES[name].inMenu !== false;
const COMMUNITY_KEY = "tongxin.community";
/** Where to return after logging in: the page (and week) asked for before the login. */
const AFTER_LOGIN_KEY = "tongxin.afterLogin";
const app = document.getElementById("app");

/** Who is logged in and which communities they work on; loaded once per login. */
let session = null;

whenUnauthorized(() => {
  session = null;
  if (current().name !== "login") {
    sessionStorage.setItem(AFTER_LOGIN_KEY, window.location.hash);
    go("login");
  }
});
onLangChange(() => show(current()));

async function loadSession() {
  const [me, listing] = await Promise.all([api("/me"), api("/communities", { auth: false })]);
  const reachable = new Set(me.community_ids);
  const communities = listing.filter((community) => reachable.has(community.id));
  return { me, communities };
}

function chosenCommunity() {
  const stored = Number(localStorage.getItem(COMMUNITY_KEY));
  const found = session.communities.find((community) => community.id === stored);
  return found || session.communities[0] || null;
}

function header(active) {
  const community = chosenCommunity();
  const link = (name) =>
    h("a", { href: `#/${name}`, class: name === active ? "active" : null, "aria-current": name === active ? "page" : null, "data-nav": name }, t(`nav.${name}`));
  const picker = select(
    { "aria-label": t("console.community"), "data-test": "community", onchange: (event) => {
      localStorage.setItem(COMMUNITY_KEY, event.target.value);
      show(current());
    } },
    session.communities.map((c) => [c.id, c.name]),
    community ? community.id : "",
  );
  return h(
    "header",
    { class: "console-header" },
    h("a", { class: "brand", href: "#/board" }, h("img", { class: "brand-mark", src: "/static/img/tongxin.svg", alt: "" }), t("console.brand")),
    h("nav", { "aria-label": t("console.menu") }, Object.keys(PAGES).filter(offered).map(link)),
    h("span", { class: "spacer" }),
    session.communities.length ? picker : null,
    h("span", { class: "who muted", title: t(`role.${session.me.role}`) }, session.me.username),
    langToggle(),
    h("button", { type: "button", class: "small", "data-test": "logout", onclick: () => {
      forgetToken();
      session = null;
      go("login");
    } }, t("common.logout")),
  );
}

function showLogin() {
  mount(
    app,
    h("div", { class: "login-top" }, langToggle()),
    loginForm({
      title: t("console.loginTitle"),
      subtitle: t("console.loginSubtitle"),
      onDone: async () => {
        session = null;
        const after = sessionStorage.getItem(AFTER_LOGIN_KEY);
        sessionStorage.removeItem(AFTER_LOGIN_KEY);
        if (after && after.startsWith("#/") && !after.startsWith("#/login")) window.location.hash = after;
        else go("board");
      },
      footer: h("p", { class: "muted small-text" }, t("console.memberHint"), " ", h("a", { href: "/m/" }, t("console.toMobile"))),
    }),
  );
}

async function show(route) {
  if (route.name === "login" || !token()) {
    if (route.name !== "login") {
      if (route.name) sessionStorage.setItem(AFTER_LOGIN_KEY, window.location.hash);
      return go("login");
    }
    return showLogin();
  }
  const name = PAGES[route.name] ? route.name : "board";
  if (!session) {
    mount(app, h("p", { class: "loading" }, t("common.loading")));
    try {
      session = await loadSession();
    } catch (error) {
      mount(app, h("div", { class: "error" }, error.message));
      return;
    }
  }
  if (session.me.role === "member") {
    mount(
      app,
      h("div", { class: "login-top" }, langToggle()),
      h("section", { class: "card login-card stack" }, h("p", {}, t("console.memberOnly")), h("a", { class: "button primary", href: "/m/" }, t("console.toMobile"))),
    );
    return;
  }
  const community = chosenCommunity();
  // every time on the pages is the chosen community's wall-clock time
  setZone(community ? community.timezone : null);
  const main = h("main", { class: `page page-${name}` });
  mount(app, header(name), main);
  if (!community) {
    mount(main, h("p", { class: "notice" }, t("console.noCommunity")));
    return;
  }
  mount(main, PAGES[name].render({ me: session.me, community, params: route.params }));
}

start(show);
