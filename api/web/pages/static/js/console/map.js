// 地图 The map: an SVG drawing of the community from GET /communities/{cid}/map — grid centres
// and their names, the wishes still to be served, where members live (counted in cells, never
// one home at a time) and the walking radius as a circle. No tiles: the page projects the
// coordinates itself (geo.js).

import { api } from "../api.js";
import { h, mount, s } from "../dom.js";
import { t } from "../i18n.js";
import { metres } from "../format.js";
import { fit, scaleBarMetres } from "../geo.js";

const WIDTH = 900;
const HEIGHT = 640;
const MIN_CELL_PX = 6;

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
    const points = [...data.grids, ...data.wishes, ...data.homes].filter((p) => p.lat !== null && p.lat !== undefined);
    const project = fit({ center: data.center, points, radius: data.radius_m, width: WIDTH, height: HEIGHT });
    const maxHomes = Math.max(1, ...data.homes.map((home) => home.count));
    // a home cell is drawn at its true size on the ground, but never too small to see
    const cellPx = Math.max(MIN_CELL_PX, project.pixels(data.cell_m || 200));
    const focus = s("g", { class: "focus" });

    const showRadius = (point, label) => {
      mount(
        focus,
        s("circle", { class: "radius focus-radius", cx: project.x(point), cy: project.y(point), r: project.pixels(data.radius_m) }),
        s("text", { class: "radius-label", x: project.x(point), y: project.y(point) - project.pixels(data.radius_m) - 6, "text-anchor": "middle" }, label),
      );
    };

    const svg = s(
      "svg",
      { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": t("map.caption", { name: ctx.community.name }), "data-test": "map-svg" },
      s("rect", { class: "map-ground", x: 0, y: 0, width: WIDTH, height: HEIGHT }),
      s("g", { class: "homes" }, data.homes.map((home) =>
        s("rect", {
          class: "home-cell",
          x: project.x(home) - cellPx / 2,
          y: project.y(home) - cellPx / 2,
          width: cellPx,
          height: cellPx,
          "fill-opacity": (0.15 + 0.7 * (home.count / maxHomes)).toFixed(2),
        }, s("title", {}, t("map.homesHere", { n: home.count }))),
      )),
      s("circle", { class: "radius", cx: project.x(data.center), cy: project.y(data.center), r: project.pixels(data.radius_m) }),
      s("g", { class: "grids" }, data.grids.filter((g) => g.lat !== null && g.lat !== undefined).map((grid) =>
        s("g", { class: "grid-mark", "data-grid": grid.id },
          s("circle", { cx: project.x(grid), cy: project.y(grid), r: 6 }),
          // names sit under their dot, so neighbouring grids a few hundred metres apart do not collide
          s("text", { x: project.x(grid), y: project.y(grid) + 20, "text-anchor": "middle" }, grid.name),
          s("title", {}, t("map.gridPeople", { name: grid.name, n: grid.people })),
        ),
      )),
      s("g", { class: "wishes" }, data.wishes.map((wish) => {
        const x = project.x(wish);
        const y = project.y(wish);
        return s("path", {
          class: `wish-mark ${wish.status}`,
          d: `M${x} ${y - 8} L${x + 6} ${y} L${x} ${y + 8} L${x - 6} ${y} Z`,
          "data-wish": wish.id,
          tabindex: 0,
          onclick: () => showRadius(wish, wish.title),
        }, s("title", {}, `${wish.title} · ${t(`wish.${wish.status}`)}`));
      })),
      focus,
      scaleBar(project),
      s("text", { class: "north", x: WIDTH - 24, y: 28, "text-anchor": "middle" }, t("map.north")),
    );
    mount(drawing, svg);

    mount(
      side,
      h("div", { class: "card stack" },
        h("h2", {}, t("map.legend")),
        h("ul", { class: "legend-list" },
          h("li", {}, legendSwatch("grid"), t("map.gridCentre")),
          h("li", {}, legendSwatch("wish"), t("map.openWish")),
          h("li", {}, legendSwatch("homes"), t("map.homes")),
          h("li", {}, legendSwatch("radius"), t("map.radius", { distance: metres(data.radius_m) })),
        ),
        h("p", { class: "muted small-text" }, t("map.privacy", { cell: metres(data.cell_m), min: data.min_per_cell })),
      ),
      h("div", { class: "card stack" },
        h("h2", {}, t("map.wishes", { n: data.wishes.length })),
        data.wishes.length
          ? h("ul", { class: "wish-links" }, data.wishes.map((wish) =>
              h("li", {}, h("button", { type: "button", class: "link", onclick: () => showRadius(wish, wish.title) }, wish.title), " ", h("span", { class: `badge ${wish.status}` }, t(`wish.${wish.status}`)))))
          : h("p", { class: "muted" }, ctx.me.role === "coordinator" ? t("map.noWishes") : t("map.wishesCoordinatorsOnly")),
      ),
      h("div", { class: "card stack" },
        h("h2", {}, t("map.grids")),
        h("ul", { class: "wish-links" }, data.grids.map((grid) =>
          h("li", {}, h("button", { type: "button", class: "link", disabled: grid.lat === null || grid.lat === undefined, onclick: () => showRadius(grid, grid.name) }, grid.name), h("span", { class: "muted" }, ` ${t("map.people", { n: grid.people })}`)))),
      ),
    );
  }

  function scaleBar(project) {
    const widthMetres = WIDTH / project.pixels(1);
    const length = scaleBarMetres(widthMetres);
    const pixels = project.pixels(length);
    const x = 20;
    const y = HEIGHT - 20;
    return s("g", { class: "scale-bar" },
      s("line", { x1: x, y1: y, x2: x + pixels, y2: y }),
      s("line", { x1: x, y1: y - 5, x2: x, y2: y + 1 }),
      s("line", { x1: x + pixels, y1: y - 5, x2: x + pixels, y2: y + 1 }),
      s("text", { x: x + pixels / 2, y: y - 8, "text-anchor": "middle" }, metres(length)),
    );
  }

  return root;
}

function legendSwatch(kind) {
  return s("svg", { class: "swatch-svg", viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" },
    kind === "grid" ? s("circle", { class: "grid-swatch", cx: 8, cy: 8, r: 5 }) : null,
    kind === "wish" ? s("path", { class: "wish-mark open", d: "M8 1 L14 8 L8 15 L2 8 Z" }) : null,
    kind === "homes" ? s("rect", { class: "home-cell", x: 2, y: 2, width: 12, height: 12, "fill-opacity": 0.6 }) : null,
    kind === "radius" ? s("circle", { class: "radius", cx: 8, cy: 8, r: 6 }) : null,
  );
}
