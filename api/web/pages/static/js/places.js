// Choosing a place of the community's place directory (地点库): an estate (小区), then one of
// its buildings (楼栋) — or a venue (场所) such as the service hall. The forms send the chosen
// place's id (place_id) and the server takes its coordinates: nobody types a latitude.
//
// ``places`` are the directory's rows, from GET /communities/{cid}/places (console) or
// GET /communities/{cid}/home-places (registration: estates and buildings, names only).

import { h, mount } from "./dom.js";
import { t } from "./i18n.js";

/**
 * Two selects: estate or venue, then building (offered only for an estate that has some).
 * Returns { element, value() → the chosen place's id or null, chosen() → the row or null }.
 */
export function placePicker(places, { selected = null, venues = true, prefix = "place" } = {}) {
  const byId = new Map(places.map((place) => [place.id, place]));
  const estates = places.filter((place) => place.kind === "estate");
  const halls = venues ? places.filter((place) => place.kind === "venue") : [];
  const buildingsOf = (estateId) => places.filter((place) => place.estate_id === estateId);

  const start = byId.get(Number(selected)) || null;
  const startEstate = start && start.kind === "building" ? start.estate_id : start ? start.id : "";
  const first = h("select", { name: `${prefix}_estate`, "data-test": `${prefix}-estate`, "aria-label": t("places.estateOrVenue") },
    h("option", { value: "" }, t("places.choose")),
    estates.length ? h("optgroup", { label: t("places.estates") }, estates.map((place) => h("option", { value: String(place.id), selected: place.id === startEstate }, place.name))) : null,
    halls.length ? h("optgroup", { label: t("places.venues") }, halls.map((place) => h("option", { value: String(place.id), selected: place.id === startEstate }, place.name))) : null,
  );
  const second = h("select", { name: `${prefix}_building`, "data-test": `${prefix}-building`, "aria-label": t("places.building") });
  const secondLabel = h("label", {}, t("places.building"), second);

  const fillBuildings = (chosenBuilding = null) => {
    const estate = byId.get(Number(first.value));
    const buildings = estate && estate.kind === "estate" ? buildingsOf(estate.id) : [];
    secondLabel.hidden = !buildings.length;
    mount(second,
      h("option", { value: "" }, t("places.wholeEstate")),
      buildings.map((place) => h("option", { value: String(place.id), selected: place.id === chosenBuilding }, place.name)),
    );
  };
  first.addEventListener("change", () => fillBuildings());
  fillBuildings(start && start.kind === "building" ? start.id : null);

  const value = () => {
    const id = Number(second.value || first.value);
    return id ? id : null;
  };
  const element = h("div", { class: "field-row place-picker", "data-test": `${prefix}-picker` },
    h("label", {}, t(venues ? "places.estateOrVenue" : "places.estate"), first),
    secondLabel,
  );
  return { element, value, chosen: () => byId.get(value()) || null };
}

/** A place's name as people say it: 「阳光小区3号楼」 for a building. */
export function placeName(places, id) {
  const place = places.find((row) => row.id === id);
  if (!place) return "";
  if (place.full_name) return place.full_name;
  const estate = place.estate_id ? places.find((row) => row.id === place.estate_id) : null;
  return estate ? `${estate.name}${place.name}` : place.name;
}
