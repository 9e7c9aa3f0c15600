// 地点库 The place directory: the community's estates (小区) with their buildings (楼栋), and its
// venues (场所: the service hall …), each with coordinates entered once here; the wish, post
// and activity forms and the phone registration then pick a place instead of typing
// coordinates. From GET /communities/{cid}/places; 新增 adds (POST), 修改 renames or moves
// (PATCH /places/{id}); a sheet (.xlsx or .csv: 小区, 楼栋, 场所, 纬度, 经度) imports many at
// once, all or nothing. Coordinators and street admins only.

import { api } from "../api.js";
import { h, mount, select, toast } from "../dom.js";
import { t } from "../i18n.js";
import { importCard } from "./sheet.js";

const MANAGERS = ["street_admin", "coordinator"];
const KINDS = ["estate", "building", "venue"];

/** Who may open the page (and see its tab). */
export function allowed(me) {
  return MANAGERS.includes(me.role);
}

/** A refusal's words, without the field's name in front (the form shows which field). */
const refusal = (error) => (Array.isArray(error.detail) && error.detail.length ? error.detail.map((item) => item.msg).join("\n") : error.message);

const coordinate = (value) => (value === null || value === undefined ? "" : Number(value).toFixed(6));

export function render(ctx) {
  const cid = ctx.community.id;
  const root = h("section", { class: "places-page", "data-page": "places" });
  const toolbar = h("div", { class: "toolbar" }, h("h1", {}, t("nav.places"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)));
  if (!allowed(ctx.me)) {
    mount(root, toolbar, h("p", { class: "notice" }, t("places.managersOnly")));
    return root;
  }
  const state = { places: [] };
  const list = h("div", { class: "card", "data-test": "places", "data-state": "loading" }, t("common.loading"));
  const formCard = h("div", { class: "card stack", "data-test": "place-form" });
  const sheet = importCard({
    path: `/communities/${cid}/places/import`,
    prefix: "places-sheet",
    accept: ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    title: t("places.sheetTitle"),
    hint: t("places.sheetHint"),
    fileLabel: t("places.sheetFile"),
    outcome: (answer) => t(answer.dry_run ? "places.sheetChecked" : "places.sheetImported", answer),
    done: () => load(),
  });
  mount(
    root,
    toolbar,
    h("p", { class: "muted" }, t("places.intro")),
    h("div", { class: "places-body" }, list, h("div", { class: "people-side" }, formCard, sheet)),
  );

  async function load() {
    try {
      state.places = await api(`/communities/${cid}/places`);
    } catch (error) {
      mount(list, h("div", { class: "error" }, error.message));
      return;
    }
    draw();
    mount(formCard, ...addForm());
  }

  function draw() {
    list.dataset.state = "ready";
    if (!state.places.length) {
      mount(list, h("p", { class: "notice" }, t("places.none")));
      return;
    }
    const counts = Object.fromEntries(KINDS.map((kind) => [kind, state.places.filter((p) => p.kind === kind).length]));
    mount(
      list,
      h("p", { class: "muted" }, t("places.counts", counts)),
      h("table", { class: "place-table" },
        h("thead", {}, h("tr", {},
          h("th", {}, t("places.name")),
          h("th", {}, t("places.kind")),
          h("th", { class: "num" }, t("common.lat")),
          h("th", { class: "num" }, t("common.lng")),
          h("th", {}, ""),
        )),
        h("tbody", {}, state.places.map(row)),
      ),
    );
  }

  function row(place) {
    const own = place.lat !== null;
    const cells = h("tr", { "data-place": place.id, class: `place-${place.kind}` },
      h("td", { class: place.kind === "building" ? "indent" : null }, place.name),
      h("td", {}, t(`places.kind.${place.kind}`)),
      h("td", { class: own ? "num" : "num muted" }, coordinate(place.location_lat)),
      h("td", { class: own ? "num" : "num muted" }, coordinate(place.location_lng)),
      h("td", { class: "row-actions" },
        own ? null : h("span", { class: "muted small-text" }, t("places.atEstate")),
        h("button", { type: "button", class: "small", "data-test": "edit-place", onclick: () => editRow(place, cells) }, t("common.edit")),
      ),
    );
    return cells;
  }

  function editRow(place, cells) {
    const name = h("input", { type: "text", value: place.name, maxlength: 100, required: true, "aria-label": t("places.name") });
    const lat = h("input", { type: "number", step: "any", min: -90, max: 90, value: place.lat ?? "", "aria-label": t("common.lat") });
    const lng = h("input", { type: "number", step: "any", min: -180, max: 180, value: place.lng ?? "", "aria-label": t("common.lng") });
    const message = h("span", { class: "error small-text", hidden: true, role: "alert" });
    const save = async () => {
      const body = { name: name.value.trim() };
      if (lat.value !== "" || lng.value !== "") Object.assign(body, { lat: Number(lat.value), lng: Number(lng.value) });
      else if (place.kind === "building") Object.assign(body, { lat: null, lng: null });
      try {
        await api(`/places/${place.id}`, { method: "PATCH", json: body });
        toast(t("places.saved", { name: body.name }));
        await load();
      } catch (error) {
        message.textContent = refusal(error);
        message.hidden = false;
      }
    };
    mount(cells,
      h("td", {}, name),
      h("td", {}, t(`places.kind.${place.kind}`)),
      h("td", {}, lat),
      h("td", {}, lng),
      h("td", { class: "row-actions" },
        h("button", { type: "button", class: "small primary", "data-test": "save-place", onclick: save }, t("common.save")),
        h("button", { type: "button", class: "small", onclick: () => draw() }, t("common.cancel")),
        message,
      ),
    );
  }

  function addForm() {
    const estates = state.places.filter((p) => p.kind === "estate");
    const kind = select({ name: "kind", "data-test": "new-place-kind" }, KINDS.map((k) => [k, t(`places.kind.${k}`)]), estates.length ? "building" : "estate");
    const estate = select({ name: "estate_id", "data-test": "new-place-estate" }, estates.map((p) => [p.id, p.name]), estates.length ? estates[0].id : "");
    const estateField = h("label", {}, t("places.ofEstate"), estate);
    const name = h("input", { type: "text", name: "name", required: true, maxlength: 100, "data-test": "new-place-name" });
    const lat = h("input", { type: "number", name: "lat", step: "any", min: -90, max: 90, "data-test": "new-place-lat" });
    const lng = h("input", { type: "number", name: "lng", step: "any", min: -180, max: 180, "data-test": "new-place-lng" });
    const hint = h("p", { class: "muted small-text" });
    const message = h("div", { class: "error", hidden: true, role: "alert" });
    const showKind = () => {
      const building = kind.value === "building";
      estateField.hidden = !building;
      name.placeholder = t(`places.example.${kind.value}`);
      hint.textContent = building ? t("places.buildingHint") : t("places.coordinatesHint");
    };
    kind.addEventListener("change", showKind);
    showKind();
    return [
      h("h2", {}, t("places.add")),
      h("form", { class: "stack", onsubmit: async (event) => {
        event.preventDefault();
        message.hidden = true;
        const body = { kind: kind.value, name: name.value.trim() };
        if (kind.value === "building") body.estate_id = Number(estate.value);
        if (lat.value !== "" || lng.value !== "") Object.assign(body, { lat: Number(lat.value), lng: Number(lng.value) });
        try {
          const added = await api(`/communities/${cid}/places`, { method: "POST", json: body });
          toast(t("places.added", { name: added.full_name }));
          await load();
        } catch (error) {
          message.textContent = refusal(error);
          message.hidden = false;
        }
      } },
        h("div", { class: "field-row" }, h("label", {}, t("places.kind"), kind), estateField),
        h("label", {}, t("places.name"), name),
        h("div", { class: "field-row" }, h("label", {}, t("common.lat"), lat), h("label", {}, t("common.lng"), lng)),
        hint,
        message,
        h("button", { type: "submit", class: "primary", "data-test": "add-place" }, t("places.addButton")),
      ),
    ];
  }

  load();
  return root;
}
