// 接任务: the places offered to the member after someone declined (GET /me/offers, 接下 with
// POST /me/offers/{id}/accept) and the open work they may claim (GET /me/open-work, 认领 with
// POST /me/claims), nearest first. Whether the member may take a place is the server's answer:
// the page lists only what it was given and shows the server's message when a place is gone.
// 服务分布图: the same open work as marks on a drawing around the member's home (no map
// tiles: it works offline); each mark is a cell of about 100 m, never a household's door, and
// tapping it shows its work with 认领.

import { api } from "../api.js";
import { h, mount, s, toast } from "../dom.js";
import { metres, span } from "../format.js";
import { fit } from "../geo.js";
import { t } from "../i18n.js";

const WIDTH = 340;
const HEIGHT = 240;

export function render() {
  const root = h("section", { class: "stack", "data-page": "work" }, h("p", {}, t("common.loading")));
  const load = () =>
    Promise.all([api("/me/offers"), api("/me/open-work"), api("/me")])
      .then(([offers, seats, me]) => mount(root, ...page(offers, seats, load, me.person ? me.person.home : null)))
      .catch((error) => mount(root, h("div", { class: "error" }, error.message)));
  load();
  return root;
}

function page(offers, seats, reload, home) {
  const waiting = offers.filter((offer) => offer.status === "open");
  const offered = new Set(waiting.map((offer) => offer.id));
  const free = seats.filter((seat) => !offered.has(seat.offer_id));
  return [
    h("h1", {}, t("work.title")),
    waiting.length ? h("h2", {}, t("work.offers")) : null,
    waiting.length ? h("ul", { class: "cards" }, waiting.map((offer) => offerCard(offer, reload))) : null,
    h("h2", {}, t("work.open")),
    free.length ? needsMap(free, home, reload) : null,
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

const seatKey = (seat) => `${seat.demand_kind}-${seat.demand_id}-${seat.role}`;
const claimBody = (seat) => ({ run_id: seat.run_id, demand_kind: seat.demand_kind, demand_id: seat.demand_id, role: seat.role });

/** 服务分布图: one mark per cell holding open work, the member's home in the middle. */
function needsMap(seats, home, reload) {
  const cells = new Map();
  for (const seat of seats) {
    const key = `${seat.lat},${seat.lng}`;
    if (!cells.has(key)) cells.set(key, { lat: seat.lat, lng: seat.lng, seats: [] });
    cells.get(key).seats.push(seat);
  }
  const points = [...cells.values()];
  const center = home || points[0];
  const project = fit({ center, points: home ? [...points, home] : points, width: WIDTH, height: HEIGHT, padding: 22 });
  const detail = h("div", { class: "need-detail", "data-test": "need-detail", hidden: true });
  function choose(cell, mark) {
    for (const other of mark.parentNode.querySelectorAll(".need-mark")) other.classList.remove("chosen");
    mark.classList.add("chosen");
    detail.hidden = false;
    mount(detail, h("ul", { class: "cards" }, cell.seats.map((seat) =>
      h("li", { class: "card", "data-need": seatKey(seat) },
        h("div", { class: "card-head" },
          h("span", { class: "kind" }, t(`demand.${seat.demand_kind}`)),
          h("span", { class: "muted" }, t("work.away", { distance: metres(seat.distance_m) })),
        ),
        h("h3", {}, seat.title),
        h("div", { class: "when" }, span(seat.starts_at, seat.ends_at)),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "primary", "data-test": "claim-from-map", onclick: () => take("/me/claims", claimBody(seat), reload) }, t("work.claim")),
        ),
      ))));
  }
  const kinds = (cell) => [...new Set(cell.seats.map((seat) => seat.demand_kind))].join(" ");
  const marks = points.map((cell) => {
    const x = project.x(cell);
    const y = project.y(cell);
    const label = cell.seats.map((seat) => seat.title).join("、");
    const mark = s("g", {
      class: `need-mark ${kinds(cell)}`,
      "data-test": "need-mark",
      "data-seats": cell.seats.map(seatKey).join(" "),
      role: "button",
      tabindex: "0",
      "aria-label": label,
      onclick: () => choose(cell, mark),
      onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") choose(cell, mark); },
    },
    s("circle", { cx: x, cy: y, r: 11 }),
    s("text", { x, y: y + 4, "text-anchor": "middle" }, String(cell.seats.length)),
    s("title", {}, label));
    return mark;
  });
  return h("div", { class: "card needs-map stack", "data-test": "needs-map" },
    s("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": t("work.mapCaption", { n: seats.length }) },
      s("rect", { class: "map-ground", x: 0, y: 0, width: WIDTH, height: HEIGHT, rx: 8 }),
      marks,
      // over the marks, as an outline: work at home stays visible and tappable inside it
      home ? s("g", { class: "home-mark", "data-test": "home-mark" },
        s("rect", { x: project.x(home) - 15, y: project.y(home) - 15, width: 30, height: 30, rx: 4 }),
        s("title", {}, t("work.myHome"))) : null,
      s("text", { class: "north", x: WIDTH - 16, y: 20, "text-anchor": "middle" }, t("map.north")),
    ),
    h("p", { class: "muted small-text" }, t("work.mapHint")),
    detail,
  );
}

function seatCard(seat, reload) {
  const body = claimBody(seat);
  return h(
    "li",
    { class: "card seat", "data-seat": seatKey(seat) },
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
