// Drawing a community without map tiles: latitude and longitude are projected onto a flat
// plane in metres around the community's centre (an equirectangular projection, exact enough
// across a few kilometres), then scaled to fit the drawing.

const METRES_PER_DEGREE_LAT = 110_574;
const METRES_PER_DEGREE_LNG_AT_EQUATOR = 111_320;

/** Metres east and north of ``center`` for a point. */
export function toMetres(center, point) {
  const east = (point.lng - center.lng) * METRES_PER_DEGREE_LNG_AT_EQUATOR * Math.cos((center.lat * Math.PI) / 180);
  const north = (point.lat - center.lat) * METRES_PER_DEGREE_LAT;
  return { east, north };
}

/**
 * A projection fitting ``points`` and a circle of ``radius`` metres around ``center`` into a
 * ``width`` × ``height`` drawing with ``padding`` pixels of margin. North is up.
 * Returns {x(point), y(point), pixels(metres)}.
 */
export function fit({ center, points, radius = 0, width, height, padding = 24 }) {
  let minEast = -radius;
  let maxEast = radius;
  let minNorth = -radius;
  let maxNorth = radius;
  for (const point of points) {
    const { east, north } = toMetres(center, point);
    minEast = Math.min(minEast, east);
    maxEast = Math.max(maxEast, east);
    minNorth = Math.min(minNorth, north);
    maxNorth = Math.max(maxNorth, north);
  }
  const spanEast = Math.max(maxEast - minEast, 1);
  const spanNorth = Math.max(maxNorth - minNorth, 1);
  const scale = Math.min((width - 2 * padding) / spanEast, (height - 2 * padding) / spanNorth);
  // centre the drawing in the space left over along the shorter side
  const offsetX = padding + ((width - 2 * padding) - spanEast * scale) / 2;
  const offsetY = padding + ((height - 2 * padding) - spanNorth * scale) / 2;
  return {
    x: (point) => offsetX + (toMetres(center, point).east - minEast) * scale,
    y: (point) => offsetY + (maxNorth - toMetres(center, point).north) * scale,
    pixels: (metres) => metres * scale,
  };
}

/** A round length for a scale bar about a fifth of ``widthMetres``: 50, 100, 200, 500 m … */
export function scaleBarMetres(widthMetres) {
  const target = widthMetres / 5;
  const steps = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
  return steps.reduce((best, step) => (step <= target ? step : best), steps[0]);
}
