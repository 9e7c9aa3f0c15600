// A hash router small enough to read at a glance: "#/board?week=2026-03-02" → route "board",
// params {week: "2026-03-02"}. Each page shell keeps its own table of routes. Going to
// another page takes the last page's messages (toasts) off the screen.

import { clearToasts } from "./dom.js";

/** The current route name and its parameters. */
export function current() {
  const [path, query = ""] = window.location.hash.replace(/^#\/?/, "").split("?");
  return { name: path || "", params: Object.fromEntries(new URLSearchParams(query)) };
}

/** Go to a route; the hashchange listener renders it. */
export function go(name, params = {}) {
  const query = new URLSearchParams(params).toString();
  const target = `#/${name}${query ? `?${query}` : ""}`;
  if (window.location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = target;
}

/** Call ``render`` now and on every change of route. */
export function start(render) {
  let shown = current().name;
  window.addEventListener("hashchange", () => {
    const route = current();
    // another week of the board is the same page; its messages may stay
    if (route.name !== shown) clearToasts();
    shown = route.name;
    render(route);
  });
  render(current());
}
