// Small SVG charts drawn by the page itself: vertical bars (one or more series) and horizontal
// bars. Each bar carries its value as a <title>, so a tooltip and a screen reader can read it.

import { s } from "./dom.js";

const WIDTH = 560;
const HEIGHT = 260;
const MARGIN = { top: 16, right: 12, bottom: 44, left: 44 };

function niceMax(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

function axis(max, format, plotHeight) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) => fraction * max);
  return s("g", { class: "axis" }, ticks.map((tick) => {
    const y = MARGIN.top + plotHeight - (tick / max) * plotHeight;
    return s("g", {},
      s("line", { class: "gridline", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y }),
      s("text", { x: MARGIN.left - 6, y: y + 4, "text-anchor": "end" }, format(tick)),
    );
  }));
}

/**
 * Vertical bars: ``labels`` along the bottom, one bar per series at each label.
 * series: [{name, className, values}]; ``max`` fixes the top of the scale (e.g. 1 for ratios).
 */
export function barChart({ labels, series, format = String, max, label }) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = max || niceMax(Math.max(0, ...series.flatMap((one) => one.values)));
  const band = plotWidth / Math.max(labels.length, 1);
  const barWidth = Math.max(2, (band * 0.8) / series.length);
  return s(
    "svg",
    { class: "chart", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": label },
    axis(top, format, plotHeight),
    labels.map((text, index) => {
      const x0 = MARGIN.left + index * band + band * 0.1;
      return s("g", { class: "band" },
        series.map((one, seriesIndex) => {
          const value = one.values[index] || 0;
          const height = (Math.min(value, top) / top) * plotHeight;
          return s("rect", {
            class: `bar ${one.className || ""}`,
            x: x0 + seriesIndex * barWidth,
            y: MARGIN.top + plotHeight - height,
            width: barWidth - 1,
            height,
          }, s("title", {}, `${text} · ${one.name}: ${format(value)}`));
        }),
        s("text", { class: "tick-label", x: MARGIN.left + index * band + band / 2, y: HEIGHT - MARGIN.bottom + 16, "text-anchor": "middle" }, text),
      );
    }),
  );
}

/** Horizontal bars, one per row: rows [{label, value}]. */
export function horizontalBars({ rows, format = String, label }) {
  const rowHeight = 26;
  const left = 110;
  const height = Math.max(rowHeight * rows.length + 16, 60);
  const top = niceMax(Math.max(0, ...rows.map((row) => row.value)));
  const plotWidth = WIDTH - left - 60;
  return s(
    "svg",
    { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-label": label },
    rows.map((row, index) => {
      const y = 8 + index * rowHeight;
      const width = (row.value / top) * plotWidth;
      return s("g", {},
        s("text", { class: "tick-label", x: left - 8, y: y + 15, "text-anchor": "end" }, row.label),
        s("rect", { class: "bar", x: left, y: y + 3, width, height: rowHeight - 8 }, s("title", {}, `${row.label}: ${format(row.value)}`)),
        s("text", { class: "value-label", x: left + width + 6, y: y + 15 }, format(row.value)),
      );
    }),
  );
}
