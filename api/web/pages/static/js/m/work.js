// 接任务: the places offered to the member after someone declined (GET /me/offers, 接下 with
// POST /me/offers/{id}/accept) and the open work they may claim (GET /me/open-work, 认领 with
// POST /me/claims), nearest first. Whether the member may take a place is the server's answer:
// the page lists only what it was given and shows the server's message when a place is gone.

import { api } from "../api.js";
import { h, mount, toast } from "../dom.js";
import { metres, span } from "../format.js";
import { t } from "../i18n.js";

export function render() {
  const root = h("section", { class: "stack", "data-page": "work" }, h("p", {}, t("common.loading")));
  const load = () =>
    Promise.all([api("/me/offers"), api("/me/open-work")])
      .then(([offers, seats]) => mount(root, ...page(offers, seats, load)))
      .catch((error) => mount(root, h("div", { class: "error" }, error.message)));
  load();
  return root;
}

function page(offers, seats, reload) {
  const waiting = offers.filter((offer) => offer.status === "open");
  const offered = new Set(waiting.map((offer) => offer.id));
  const free = seats.filter((seat) => !offered.has(seat.offer_id));
  return [
    h("h1", {}, t("work.title")),
    waiting.length ? h("h2", {}, t("work.offers")) : null,
    waiting.length ? h("ul", { class: "cards" }, waiting.map((offer) => offerCard(offer, reload))) : null,
    h("h2", {}, t("work.open")),
    free.length
      ? h("ul", { class: "cards" }, free.map((seat) => seatCard(seat, reload)))
      : h("p", { class: "notice", "data-test": "no-open-work" }, t("work.none")),
  ];
}

function offerCard(offer, reload) {
  return h(
    "li",
    { class: "card offer", "data-offer": offer.id },
    h("div", { class: "card-head" },
      h("span", { class: "kind" }, t(`demand.${offer.demand_kind}`)),
      h("span", { class: "badge proposed" }, t("work.offered")),
    ),
    h("h3", {}, offer.title),
    h("div", { class: "when" }, span(offer.starts_at, offer.ends_at)),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", "data-test": "accept-offer", onclick: () => take(`/me/offers/${offer.id}/accept`, undefined, reload) }, t("work.accept")),
    ),
  );
}

function seatCard(seat, reload) {
  const body = { run_id: seat.run_id, demand_kind: seat.demand_kind, demand_id: seat.demand_id, role: seat.role };
  return h(
    "li",
    { class: "card seat", "data-seat": `${seat.demand_kind}-${seat.demand_id}-${seat.role}` },
    h("div", { class: "card-head" },
      h("span", { class: "kind" }, t(`demand.${seat.demand_kind}`)),
      h("span", { class: "muted" }, t("work.away", { distance: metres(seat.distance_m) })),
    ),
    h("h3", {}, seat.title),
    seat.role_name ? h("div", { class: "muted" }, seat.role_name) : null,
    h("div", { class: "when" }, span(seat.starts_at, seat.ends_at)),
    h("div", { class: "muted" }, t("work.placesLeft", { count: String(seat.places_left) })),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", "data-test": "claim", onclick: () => take("/me/claims", body, reload) }, t("work.claim")),
    ),
  );
}

async function take(path, body, reload) {
  try {
    await api(path, { method: "POST", json: body });
    toast(t("work.taken"));
  } catch (error) {
    toast(error.message, { bad: true });
  }
  await reload();
}
