// 社区设置 A community's settings, from GET /communities/{cid}/settings: whether the weekly
// draft is published without review, when it is made (a weekday and a time), the walking
// radius, the hours helpers may call at a household and the services expected per member per
// quarter. 保存 sends the changed fields (PATCH); a refusal is shown beside the form. Below, the
// community's 报到二维码: a poster with the QR code of its registration page (the community
// already chosen), printed with 打印 (the print style prints the poster alone).

import { api } from "../api.js";
import { h, mount, select, toast } from "../dom.js";
import { t } from "../i18n.js";

/** How messages reach the community, in the order a coordinator thinks of them. */
const CHANNELS = ["inbox", "email", "sms", "wecom", "dingtalk"];

const MANAGERS = ["street_admin", "coordinator"];
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

/** Who may open the page (and see its tab). */
export function allowed(me) {
  return MANAGERS.includes(me.role);
}

export function render(ctx) {
  const url = `/communities/${ctx.community.id}/settings`;
  const root = h("section", { class: "settings-page", "data-page": "settings" });
  const body = h("div", { class: "card", "data-test": "settings", "data-state": "loading" }, t("common.loading"));
  mount(root, h("div", { class: "toolbar" }, h("h1", {}, t("nav.settings"), h("span", { class: "muted" }, ` · ${ctx.community.name}`))), body, registrationPoster(ctx.community));

  function form(current) {
    const autoPublish = h("input", { type: "checkbox", checked: current.auto_publish, "data-test": "auto-publish" });
    const weekday = select({ "data-test": "draft-weekday" }, WEEKDAYS.map((d) => [d, t(`weekday.${d}`)]), current.draft_weekday);
    const draftTime = h("input", { type: "time", value: current.draft_time, required: true, "data-test": "draft-time" });
    const radius = h("input", { type: "number", min: 100, max: 5000, step: 50, value: current.radius_m, "data-test": "radius" });
    const visitStart = h("input", { type: "time", value: current.visit_start, "data-test": "visit-start" });
    const visitEnd = h("input", { type: "time", value: current.visit_end, "data-test": "visit-end" });
    const quarter = h("input", { type: "number", min: 0, max: 50, step: 1, value: current.quarter_minimum, "data-test": "quarter-minimum" });
    const problem = h("p", { class: "error", hidden: true, "data-test": "settings-error" });

    async function save(event) {
      event.preventDefault();
      problem.hidden = true;
      const wanted = {
        auto_publish: autoPublish.checked,
        draft_weekday: Number(weekday.value),
        draft_time: draftTime.value,
        radius_m: Number(radius.value),
        visit_start: visitStart.value,
        visit_end: visitEnd.value,
        quarter_minimum: Number(quarter.value),
      };
      const changed = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => value !== current[key]));
      if (!Object.keys(changed).length) {
        toast(t("settings.unchanged"));
        return;
      }
      try {
        const saved = await api(url, { method: "PATCH", json: changed });
        toast(t("settings.saved"));
        show(saved);
      } catch (error) {
        problem.hidden = false;
        problem.textContent = error.message;
      }
    }

    return h("form", { class: "settings-form", onsubmit: save },
      h("fieldset", {},
        h("legend", {}, t("settings.weekly")),
        h("div", { class: "field-row" },
          h("label", {}, t("settings.draftWeekday"), weekday),
          h("label", {}, t("settings.draftTime"), draftTime),
        ),
        h("label", { class: "check" }, autoPublish, t("settings.autoPublish")),
        h("p", { class: "muted small-text" }, t("settings.autoPublishHint")),
      ),
      h("fieldset", {},
        h("legend", {}, t("settings.service")),
        h("div", { class: "field-row" },
          h("label", {}, t("settings.radius"), radius),
          h("label", {}, t("settings.quarterMinimum"), quarter),
        ),
        h("div", { class: "field-row" },
          h("label", {}, t("settings.visitStart"), visitStart),
          h("label", {}, t("settings.visitEnd"), visitEnd),
        ),
        h("p", { class: "muted small-text" }, t("settings.visitHint")),
      ),
      h("fieldset", { "data-test": "channels" },
        h("legend", {}, t("settings.channels")),
        h("ul", { class: "channel-list" },
          CHANNELS.map((channel) => {
            const on = Boolean((current.channels || {})[channel]);
            return h("li", { "data-channel": channel, "data-on": String(on) },
              h("span", { class: on ? "badge confirmed" : "badge" }, t(on ? "settings.channelOn" : "settings.channelOff")),
              " ", t(`settings.channel.${channel}`));
          }),
        ),
        h("p", { class: "muted small-text" }, t("settings.channelsHint")),
      ),
      problem,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-test": "save-settings" }, t("common.save"))),
    );
  }

  function show(current) {
    body.dataset.state = "ready";
    mount(body, form(current));
  }

  api(url).then(show).catch((error) => {
    body.dataset.state = "failed";
    mount(body, h("div", { class: "error" }, error.message));
  });
  return root;
}

/** 报到二维码: the community's registration page as a printable QR code, and its address. */
function registrationPoster(community) {
  const address = h("code", { class: "poster-link", "data-test": "registration-url" }, "…");
  const poster = h("div", { class: "card poster", "data-test": "registration-poster" },
    h("h2", {}, t("poster.title", { name: community.name })),
    h("p", { class: "poster-lead" }, t("poster.lead")),
    h("img", { class: "poster-qr", src: `/api/v1/communities/${community.id}/registration-qr.svg`, alt: t("poster.qrAlt", { name: community.name }), "data-test": "registration-qr" }),
    h("ol", { class: "poster-steps" },
      h("li", {}, t("poster.step1")),
      h("li", {}, t("poster.step2")),
      h("li", {}, t("poster.step3")),
    ),
    address,
    h("div", { class: "actions no-print" },
      h("button", { type: "button", class: "primary", "data-test": "print-poster", onclick: () => window.print() }, t("poster.print")),
    ),
  );
  api(`/communities/${community.id}/registration-link`, { auth: false })
    .then((link) => { address.textContent = link.url; })
    .catch(() => { address.textContent = ""; });
  return poster;
}
