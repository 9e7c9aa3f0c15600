// 地图 The map: an SVG drawing of the community from GET /communities/{cid}/map — grid centres
// and their names, the wishes still to be served, where members live (counted in cells, never
// one home at a time) and the walking radius as a circle. No tiles and no map library: the
// page projects the coordinates itself (geo.js), so it works offline.
//
// - A legend with one entry for every kind of mark drawn (data-mark ↔ data-legend).
// - Labels never sit under a mark: grid dots and their names are drawn above the wish pins,
//   and each grid's name (bigger grids first) takes the first place around its dot — below,
//   above, right, left, the corners, then further out — that covers no mark and no other name;
//   failing that, the first that covers no grid dot and no name (it then lies over a pin,
//   on a halo); a name with no such place is left out and shows on hover or focus, as a
//   wish's title does.
// - Zoom with ＋ / − / 复位 or the mouse wheel (about the pointer), drag to move; marks keep
//   their size and the scale bar follows.
// - The lists beside it are filtered by words, grid and status; the map shows what they list.

import { api } from "../api.js";
import { h, mount, s, select } from "../dom.js";
import { t } from "../i18n.js";
import { metres } from "../format.js";
import { fit, scaleBarMetres } from "../geo.js";

const WIDTH = 900;
const HEIGHT = 640;
const MIN_CELL_PX = 6;
const MAX_ZOOM = 16;
const ZOOM_STEP = 1.5;
const LABEL_PX = 12; // the labels' font size: a CJK character is about this wide
const MARK_BOX = 8; // half the side of the box a mark keeps free of labels

export function render(ctx) {
  const cid = ctx.community.id;
  const root = h("section", { class: "map-page", "data-page": "map" });
  const drawing = h("div", { class: "map-drawing card" }, h("p", {}, t("common.loading")));
  const side = h("aside", { class: "map-side" });
  mount(
    root,
    h("div", { class: "toolbar" }, h("h1", {}, t("nav.map"), h("span", { class: "muted" }, ` · ${ctx.community.name}`))),
    h("div", { class: "map-body" }, drawing, side),
  );

  api(`/communities/${cid}/map`)
    .then((data) => draw(data))
    .catch((error) => mount(drawing, h("div", { class: "error" }, error.message)));

  function draw(data) {
    if (!data.center) {
      mount(drawing, h("p", { class: "notice" }, t("map.empty")));
      return;
    }
    const placed = (p) => p.lat !== null && p.lat !== undefined;
    const points = [...data.grids, ...data.wishes, ...data.homes].filter(placed);
    const base = fit({ center: data.center, points, radius: data.radius_m, width: WIDTH, height: HEIGHT });
    // the view: a zoom about a point of the whole drawing (in its pixels)
    const view = { zoom: 1, cx: WIDTH / 2, cy: HEIGHT / 2 };
    const project = {
      x: (point) => (base.x(point) - view.cx) * view.zoom + WIDTH / 2,
      y: (point) => (base.y(point) - view.cy) * view.zoom + HEIGHT / 2,
      pixels: (length) => base.pixels(length) * view.zoom,
    };
    const filters = { q: "", grid: "", status: "" };
    let chosen = null; // {point, label}: the walking radius drawn around it
    const maxHomes = Math.max(1, ...data.homes.map((home) => home.count));
    const gridName = (id) => (data.grids.find((g) => g.id === id) || {}).name || "";
    const statuses = [...new Set(data.wishes.map((wish) => wish.status))];

    const listedWishes = () => data.wishes.filter((wish) =>
      (!filters.q || wish.title.includes(filters.q))
      && (!filters.grid || String(wish.grid_id) === filters.grid)
      && (!filters.status || wish.status === filters.status));
    const listedGrids = () => data.grids.filter((grid) =>
      (!filters.q || grid.name.includes(filters.q) || data.wishes.some((w) => w.grid_id === grid.id && w.title.includes(filters.q)))
      && (!filters.grid || String(grid.id) === filters.grid));

    const svg = s("svg", {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-label": t("map.caption", { name: ctx.community.name }),
      "data-test": "map-svg",
      onwheel: (event) => {
        event.preventDefault();
        zoomAt(event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, pointerIn(event));
      },
      onpointerdown: (event) => startDrag(event),
    });
    const zoomLabel = h("span", { class: "zoom-level", "data-test": "zoom-level" });
    const legend = h("ul", { class: "legend-list", "data-test": "map-legend" });

    /** Where a mouse event is, in the drawing's own pixels. */
    function pointerIn(event) {
      const box = svg.getBoundingClientRect();
      return { x: ((event.clientX - box.left) * WIDTH) / box.width, y: ((event.clientY - box.top) * HEIGHT) / box.height };
    }

    /** Zoom by ``factor`` keeping the point ``at`` (drawing pixels) where it is. */
    function zoomAt(factor, at = { x: WIDTH / 2, y: HEIGHT / 2 }) {
      const zoom = Math.min(MAX_ZOOM, Math.max(1, view.zoom * factor));
      const baseX = (at.x - WIDTH / 2) / view.zoom + view.cx;
      const baseY = (at.y - HEIGHT / 2) / view.zoom + view.cy;
      view.zoom = zoom;
      view.cx = baseX - (at.x - WIDTH / 2) / zoom;
      view.cy = baseY - (at.y - HEIGHT / 2) / zoom;
      if (zoom === 1) Object.assign(view, { cx: WIDTH / 2, cy: HEIGHT / 2 });
      marks();
    }

    function startDrag(event) {
      if (event.button !== 0 || view.zoom === 1) return;
      const box = svg.getBoundingClientRect();
      let last = { x: event.clientX, y: event.clientY };
      let moved = false;
      const move = (next) => {
        const dx = ((next.clientX - last.x) * WIDTH) / box.width;
        const dy = ((next.clientY - last.y) * HEIGHT) / box.height;
        if (!moved && Math.abs(dx) + Math.abs(dy) < 3) return;
        moved = true;
        last = { x: next.clientX, y: next.clientY };
        view.cx -= dx / view.zoom;
        view.cy -= dy / view.zoom;
        marks();
      };
      const stop = () => {
        window.removeEventListener("pointermove", move);
        window.removeEventListener("pointerup", stop);
      };
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", stop);
    }

    function choose(point, label) {
      chosen = { point, label };
      marks();
    }

    // labels ---------------------------------------------------------------------------
    const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
    const inside = (box) => box.x1 >= 0 && box.y1 >= 0 && box.x2 <= WIDTH && box.y2 <= HEIGHT;

    /** The places a name may take around a dot at (x, y), nearest first. */
    function around(x, y) {
      const near = [
        { x, y: y + 20, anchor: "middle" }, // below
        { x, y: y - 11, anchor: "middle" }, // above
        { x: x + 11, y: y + 4, anchor: "start" }, // right
        { x: x - 11, y: y + 4, anchor: "end" }, // left
        { x: x + 8, y: y + 19, anchor: "start" }, // below right
        { x: x + 8, y: y - 9, anchor: "start" }, // above right
        { x: x - 8, y: y + 19, anchor: "end" }, // below left
        { x: x - 8, y: y - 9, anchor: "end" }, // above left
      ];
      return [...near, { x, y: y + 34, anchor: "middle" }, { x, y: y - 25, anchor: "middle" }];
    }

    /** The first place around (x, y) where ``text`` covers none of ``avoid`` (boxes). */
    function labelPlace(text, x, y, avoid) {
      const width = text.length * LABEL_PX + 6;
      const height = LABEL_PX + 4;
      for (const place of around(x, y)) {
        const left = place.anchor === "middle" ? place.x - width / 2 : place.anchor === "start" ? place.x : place.x - width;
        const box = { x1: left, x2: left + width, y1: place.y - height + 3, y2: place.y + 3 };
        if (inside(box) && !avoid.some((other) => overlaps(box, other))) return { ...place, box };
      }
      return null;
    }

    const hoverLayer = s("g", { class: "hover-labels" });
    function showHover(text, x, y) {
      mount(hoverLayer, s("text", { class: "hover-label", x, y: y - 12, "text-anchor": "middle" }, text));
    }
    const hideHover = () => mount(hoverLayer);

    // the drawing ----------------------------------------------------------------------
    function marks() {
      const wishes = listedWishes();
      const grids = listedGrids().filter(placed);
      const cellPx = Math.max(MIN_CELL_PX, project.pixels(data.cell_m || 200));
      const seen = new Set();
      const mark = (kind) => { seen.add(kind); return kind; };
      // every mark keeps a small box free of labels: grid dots always, wish pins if possible
      const boxOf = (p) => ({ x1: project.x(p) - MARK_BOX, x2: project.x(p) + MARK_BOX, y1: project.y(p) - MARK_BOX, y2: project.y(p) + MARK_BOX });
      const dots = grids.map(boxOf);
      const pins = wishes.filter(placed).map(boxOf);
      const names = [];
      const byPeople = [...grids].sort((a, b) => b.people - a.people);
      const labels = new Map(byPeople.map((grid) => {
        const [x, y] = [project.x(grid), project.y(grid)];
        const place = labelPlace(grid.name, x, y, [...dots, ...pins, ...names]) || labelPlace(grid.name, x, y, [...dots, ...names]);
        if (place) names.push(place.box);
        return [grid.id, place];
      }));

      mount(
        svg,
        s("rect", { class: "map-ground", x: 0, y: 0, width: WIDTH, height: HEIGHT }),
        s("g", { class: "homes" }, data.homes.map((home) =>
          s("rect", {
            class: "home-cell",
            "data-mark": mark("homes"),
            x: project.x(home) - cellPx / 2,
            y: project.y(home) - cellPx / 2,
            width: cellPx,
            height: cellPx,
            "fill-opacity": (0.15 + 0.7 * (home.count / maxHomes)).toFixed(2),
          }, s("title", {}, t("map.homesHere", { n: home.count }))),
        )),
        s("circle", { class: "radius", "data-mark": mark("radius"), cx: project.x(data.center), cy: project.y(data.center), r: project.pixels(data.radius_m) }),
        chosen
          ? s("g", { class: "focus" },
              s("circle", { class: "radius focus-radius", "data-mark": mark("chosen"), cx: project.x(chosen.point), cy: project.y(chosen.point), r: project.pixels(data.radius_m) }),
              s("text", { class: "radius-label", x: project.x(chosen.point), y: project.y(chosen.point) - project.pixels(data.radius_m) - 6, "text-anchor": "middle" }, chosen.label))
          : null,
        s("g", { class: "wishes" }, wishes.filter(placed).map((wish) => {
          const x = project.x(wish);
          const y = project.y(wish);
          return s("path", {
            class: `wish-mark ${wish.status}`,
            "data-mark": mark(`wish-${wish.status}`),
            d: `M${x} ${y - 8} L${x + 6} ${y} L${x} ${y + 8} L${x - 6} ${y} Z`,
            "data-wish": wish.id,
            tabindex: 0,
            "aria-label": `${wish.title} · ${t(`wish.${wish.status}`)}`,
            onclick: () => choose(wish, wish.title),
            onmouseenter: () => showHover(wish.title, x, y),
            onfocus: () => showHover(wish.title, x, y),
            onmouseleave: hideHover,
            onblur: hideHover,
          }, s("title", {}, `${wish.title} · ${t(`wish.${wish.status}`)}`));
        })),
        s("g", { class: "grids" }, grids.map((grid) => {
          const x = project.x(grid);
          const y = project.y(grid);
          const place = labels.get(grid.id);
          const hint = t("map.gridPeople", { name: grid.name, n: grid.people });
          return s("g", {
            class: "grid-mark",
            "data-grid": grid.id,
            "data-mark": mark("grid"),
            tabindex: 0,
            "aria-label": hint,
            onclick: () => choose(grid, grid.name),
            onmouseenter: place ? null : () => showHover(grid.name, x, y),
            onfocus: place ? null : () => showHover(grid.name, x, y),
            onmouseleave: hideHover,
            onblur: hideHover,
          },
          s("circle", { cx: x, cy: y, r: 6 }),
          place
            ? s("text", { class: "grid-label", x: place.x, y: place.y, "text-anchor": place.anchor }, grid.name)
            : s("text", { class: "grid-label hidden-label", x, y: y + 20, "text-anchor": "middle", visibility: "hidden" }, grid.name),
          s("title", {}, hint));
        })),
        hoverLayer,
        scaleBar(),
        s("text", { class: "north", x: WIDTH - 24, y: 28, "text-anchor": "middle" }, t("map.north")),
      );
      svg.dataset.zoom = String(Math.round(view.zoom * 100) / 100);
      zoomLabel.textContent = `${Math.round(view.zoom * 100)}%`;
      mount(legend, legendEntries(seen));
      lists(wishes, listedGrids());
    }

    function legendEntries(seen) {
      const entries = [
        ["grid", "grid", t("map.gridCentre")],
        ...statuses.map((status) => [`wish-${status}`, `wish ${status}`, t("map.wishOf", { status: t(`wish.${status}`) })]),
        ["homes", "homes", t("map.homes")],
        ["radius", "radius", t("map.radius", { distance: metres(data.radius_m) })],
        ["chosen", "chosen", t("map.chosenRadius")],
      ];
      return entries.filter(([kind]) => seen.has(kind)).map(([kind, swatch, label]) =>
        h("li", { "data-legend": kind }, legendSwatch(swatch), label));
    }

    function scaleBar() {
      const length = scaleBarMetres(WIDTH / project.pixels(1));
      const pixels = project.pixels(length);
      const x = 20;
      const y = HEIGHT - 20;
      return s("g", { class: "scale-bar", "data-test": "scale-bar", "data-metres": length },
        s("rect", { class: "scale-ground", x: x - 6, y: y - 24, width: pixels + 12, height: 30 }),
        s("line", { x1: x, y1: y, x2: x + pixels, y2: y }),
        s("line", { x1: x, y1: y - 5, x2: x, y2: y + 1 }),
        s("line", { x1: x + pixels, y1: y - 5, x2: x + pixels, y2: y + 1 }),
        s("text", { x: x + pixels / 2, y: y - 8, "text-anchor": "middle" }, metres(length)),
      );
    }

    // the lists beside the map -----------------------------------------------------------
    const wishList = h("div", { class: "card stack", "data-test": "map-wish-list" });
    const gridList = h("div", { class: "card stack", "data-test": "map-grid-list" });
    function lists(wishes, grids) {
      mount(wishList,
        h("h2", {}, t("map.wishes", { n: wishes.length })),
        wishes.length
          ? h("ul", { class: "wish-links" }, wishes.map((wish) =>
              h("li", { "data-test": "map-wish-item" },
                h("button", { type: "button", class: "link", disabled: !placed(wish), onclick: () => choose(wish, wish.title) }, wish.title), " ",
                h("span", { class: `badge ${wish.status}` }, t(`wish.${wish.status}`)),
                wish.grid_id ? h("span", { class: "muted small-text" }, ` ${gridName(wish.grid_id)}`) : null)))
          : h("p", { class: "muted" }, data.wishes.length ? t("map.noneMatch") : ctx.me.role === "coordinator" ? t("map.noWishes") : t("map.wishesCoordinatorsOnly")),
      );
      mount(gridList,
        h("h2", {}, t("map.grids")),
        grids.length
          ? h("ul", { class: "wish-links" }, grids.map((grid) =>
              h("li", { "data-test": "map-grid-item" }, h("button", { type: "button", class: "link", disabled: !placed(grid), onclick: () => choose(grid, grid.name) }, grid.name), h("span", { class: "muted" }, ` ${t("map.people", { n: grid.people })}`))))
          : h("p", { class: "muted" }, t("map.noneMatch")),
      );
    }

    const words = h("input", { type: "search", maxlength: 50, placeholder: t("map.searchHint"), "aria-label": t("map.search"), "data-test": "map-search", oninput: () => { filters.q = words.value.trim(); marks(); } });
    const gridChoice = select({ "aria-label": t("common.grid"), "data-test": "map-filter-grid", onchange: () => { filters.grid = gridChoice.value; marks(); } },
      [["", t("common.allGrids")], ...data.grids.map((grid) => [grid.id, grid.name])], "");
    const statusChoice = select({ "aria-label": t("wishes.status"), "data-test": "map-filter-status", onchange: () => { filters.status = statusChoice.value; marks(); } },
      [["", t("wishes.allStatuses")], ...statuses.map((status) => [status, t(`wish.${status}`)])], "");

    mount(
      drawing,
      h("div", { class: "map-zoom", role: "group", "aria-label": t("map.zoom") },
        h("button", { type: "button", class: "small", "data-test": "zoom-in", "aria-label": t("map.zoomIn"), onclick: () => zoomAt(ZOOM_STEP) }, "＋"),
        h("button", { type: "button", class: "small", "data-test": "zoom-out", "aria-label": t("map.zoomOut"), onclick: () => zoomAt(1 / ZOOM_STEP) }, "－"),
        h("button", { type: "button", class: "small", "data-test": "zoom-reset", onclick: () => zoomAt(1 / MAX_ZOOM) }, t("map.zoomReset")),
        zoomLabel,
        h("span", { class: "muted small-text" }, t("map.zoomHint")),
      ),
      svg,
    );
    mount(
      side,
      h("div", { class: "card stack" },
        h("h2", {}, t("map.legend")),
        legend,
        h("p", { class: "muted small-text" }, t("map.privacy", { cell: metres(data.cell_m), min: data.min_per_cell })),
      ),
      h("div", { class: "card stack map-filters" },
        h("label", {}, t("map.search"), words),
        h("div", { class: "field-row" },
          h("label", {}, t("common.grid"), gridChoice),
          statuses.length ? h("label", {}, t("wishes.status"), statusChoice) : null),
      ),
      wishList,
      gridList,
    );
    marks();
  }

  return root;
}

function legendSwatch(kind) {
  const [shape, status] = kind.split(" ");
  return s("svg", { class: "swatch-svg", viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" },
    shape === "grid" ? s("circle", { class: "grid-swatch", cx: 8, cy: 8, r: 5 }) : null,
    shape === "wish" ? s("path", { class: `wish-mark ${status}`, d: "M8 1 L14 8 L8 15 L2 8 Z" }) : null,
    shape === "homes" ? s("rect", { class: "home-cell", x: 2, y: 2, width: 12, height: 12, "fill-opacity": 0.6 }) : null,
    shape === "radius" ? s("circle", { class: "radius", cx: 8, cy: 8, r: 6 }) : null,
    shape === "chosen" ? s("circle", { class: "radius focus-radius", cx: 8, cy: 8, r: 6 }) : null,
  );
}
