// A hash router small enough to read at a glance: "#/board?week=2026-03-02" → route "board",
// params {week: "2026-03-02"}. Each page shell keeps its own table of routes.

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
  window.addEventListener("hashchange", () => render(current()));
  render(current());
}
