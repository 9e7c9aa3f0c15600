// 签到 / 签退: the code posted at the place (a QR code opens this page with it filled in),
// sent with the phone's location when the member allows it (POST /me/check-in, /me/check-out).

import { api } from "../api.js";
import { h, mount, toast } from "../dom.js";
import { t } from "../i18n.js";
import { current } from "../router.js";

/** Where the phone is, if the member lets it tell within a few seconds; otherwise nothing. */
function whereAmI() {
  if (!navigator.geolocation) return Promise.resolve({});
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ lat: position.coords.latitude, lng: position.coords.longitude }),
      () => resolve({}),
      { timeout: 5000, maximumAge: 60_000 },
    );
  });
}

export function render() {
  const code = h("input", {
    name: "code",
    autocomplete: "off",
    autocapitalize: "characters",
    maxlength: 12,
    required: true,
    value: current().params.code || "",
    placeholder: t("checkin.codeHint"),
  });
  const result = h("div", { "data-test": "checkin-result" });
  const send = async (verb) => {
    if (!code.value.trim()) {
      code.focus();
      return;
    }
    try {
      const done = await api(`/me/${verb}`, { method: "POST", json: { code: code.value.trim(), ...(await whereAmI()) } });
      const message = verb === "check-in" ? t("checkin.in", { title: done.title }) : t("checkin.out", { title: done.title, hours: String(done.hours_served) });
      toast(message);
      mount(result, h("p", { class: "success" }, message));
    } catch (error) {
      toast(error.message, { bad: true });
      mount(result, h("p", { class: "error" }, error.message));
    }
  };
  return h(
    "section",
    { class: "stack", "data-page": "check-in" },
    h("h1", {}, t("checkin.title")),
    h("p", { class: "muted" }, t("checkin.intro")),
    h("label", {}, t("checkin.code"), code),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", "data-test": "check-in", onclick: () => send("check-in") }, t("checkin.checkIn")),
      h("button", { type: "button", "data-test": "check-out", onclick: () => send("check-out") }, t("checkin.checkOut")),
    ),
    result,
  );
}
