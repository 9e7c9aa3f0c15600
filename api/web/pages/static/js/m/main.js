// The volunteer pages (/m/), made for a phone: 报到 registration, log in, my assignments, open
// work to take (认领), check-in (签到), my messages and my free times. Routes: #/login,
// #/register, #/assignments, #/work, #/check-in?code=…, #/messages, #/availability.

import { api, forgetToken, token, whenUnauthorized } from "../api.js";
import { h, mount } from "../dom.js";
import { setZone } from "../format.js";
import { langToggle, onLangChange, t } from "../i18n.js";
import { loginForm } from "../login.js";
import { current, go, start } from "../router.js";
import * as assignments from "./assignments.js";
import * as availability from "./availability.js";
import * as messages from "./messages.js";
import * as checkin from "./checkin.js";
import * as register from "./register.js";
import * as work from "./work.js";

const app = document.getElementById("app");
const SIGNED_IN = { assignments, work, "check-in": checkin, messages, availability };
let me = null;

whenUnauthorized(() => {
  me = null;
  go("login");
});
onLangChange(() => show(current()));

function topBar() {
  return h(
    "header",
    { class: "top-bar" },
    h("img", { class: "brand-mark", src: "/static/img/tongxin.svg", alt: "" }),
    h("span", { class: "brand" }, t("m.brand")),
    h("span", { class: "spacer" }),
    langToggle(),
  );
}

function tabBar(active) {
  const tab = (name, label, ...extra) =>
    h("a", { href: `#/${name}`, class: name === active ? "tab active" : "tab", "aria-current": name === active ? "page" : null }, label, ...extra);
  return h(
    "nav",
    { class: "tab-bar", "aria-label": t("m.menu") },
    tab("assignments", t("m.assignments")),
    tab("work", t("m.work")),
    tab("check-in", t("m.checkIn")),
    // the inbox is every account's: its unread count shows on the tab
    tab("messages", t("m.messages"), messages.badge()),
    tab("availability", t("m.availability")),
    h(
      "button",
      {
        type: "button",
        class: "tab",
        "data-test": "logout",
        onclick: () => {
          forgetToken();
          me = null;
          go("login");
        },
      },
      t("common.logout"),
    ),
  );
}

async function show(route) {
  const name = route.name || (token() ? "assignments" : "login");
  if (name === "register") {
    mount(app, topBar(), h("main", {}, register.render(route.params)));
    return;
  }
  if (name === "login" || !token() || !SIGNED_IN[name]) {
    if (name !== "login" && !token()) return go("login");
    if (name !== "login" && !SIGNED_IN[name]) return go("assignments");
    mount(
      app,
      topBar(),
      h(
        "main",
        {},
        route.params.registered ? h("p", { class: "success" }, t("register.done")) : null,
        loginForm({
          title: t("m.loginTitle"),
          subtitle: t("m.loginSubtitle"),
          onDone: async () => {
            me = null;
            go("assignments");
          },
          footer: h("p", { class: "center" }, t("m.noAccount"), " ", h("a", { href: "#/register", "data-test": "to-register" }, t("m.register"))),
        }),
      ),
    );
    return;
  }
  // while the registration waits for approval, ask again on every page: the notice goes as
  // soon as the community has approved, without logging in again
  if (!me || (me.person && me.person.pending)) {
    try {
      const account = await api("/me");
      setZone(await memberZone(account));
      me = account;
    } catch (error) {
      mount(app, topBar(), h("main", {}, h("div", { class: "error" }, error.message)));
      return;
    }
  }
  if (me.role !== "member" && name !== "messages") {
    // coordinators and admins have the console; these pages are a member's own, but the
    // inbox is everyone's
    mount(
      app,
      topBar(),
      h("main", { class: "stack" }, h("p", { class: "notice" }, t("m.notMember")), h("a", { class: "button primary wide", href: "/console/" }, t("m.toConsole"))),
      tabBar(""),
    );
    return;
  }
  mount(
    app,
    topBar(),
    h("main", {},
      h("p", { class: "greeting muted" }, t("m.hello", { name: me.person ? me.person.name : me.username })),
      // 报到审核: until the community approves, nobody is scheduled; say so on every page
      me.person && me.person.pending ? h("p", { class: "notice pending", "data-test": "pending" }, t("m.pending")) : null,
      SIGNED_IN[name].render()),
    tabBar(name),
  );
}

/** The time zone of the member's community (GET /communities), or null for China's. */
async function memberZone(account) {
  if (!account.person) return null;
  const listing = await api("/communities", { auth: false });
  const community = listing.find((c) => c.id === account.person.community_id);
  return community ? community.timezone : null;
}

start(show);
