/** Distances on a spherical Earth: the bounding box that lets an index prefilter a radius search. */

export const EARTH_RADIUS_KM = 6371.0088;
const DEG = Math.PI / 180;

export interface BoundingBox {
  minLat: number;
  maxLat: number;
  /** longitude ranges: one, two when the box crosses ±180°, or null when it spans every longitude */
  lng: Array<[number, number]> | null;
}

/**
 * The smallest latitude/longitude box holding every point within `radiusKm` of (lat, lng).
 * The longitude half-width is asin(sin(r/R) / cos(lat)), the widest a circle gets (not at its
 * centre's latitude); a box reaching a pole spans every longitude.
 */
export function boundingBox(lat: number, lng: number, radiusKm: number): BoundingBox {
  const angular = radiusKm / EARTH_RADIUS_KM;
  const minLat = lat - angular / DEG;
  const maxLat = lat + angular / DEG;
  if (minLat <= -90 || maxLat >= 90 || angular >= Math.PI / 2) {
    return { minLat: Math.max(minLat, -90), maxLat: Math.min(maxLat, 90), lng: null };
  }
  const half = Math.asin(Math.min(1, Math.sin(angular) / Math.cos(lat * DEG))) / DEG;
  const lo = lng - half;
  const hi = lng + half;
  if (lo < -180) return { minLat, maxLat, lng: [[lo + 360, 180], [-180, hi]] };
  if (hi > 180) return { minLat, maxLat, lng: [[lo, 180], [-180, hi - 360]] };
  return { minLat, maxLat, lng: [[lo, hi]] };
}

/** Size of the grid cells that events_cell_starts_rows_idx and events_category_cell_starts_idx key events by (geo_cell, sql/0020, sql/0022, sql/0024, sql/0025). */
export const GEO_CELL_DEG = 0.25;
const LNG_CELLS = 360 / GEO_CELL_DEG;

/** geo_cell of sql/0020: the cell holding (lat, lng). */
export function geoCell(lat: number, lng: number): number {
  return Math.floor((lat + 90) / GEO_CELL_DEG) * LNG_CELLS + (Math.floor((lng + 180) / GEO_CELL_DEG) % LNG_CELLS);
}

/**
 * Every grid cell a box touches, or null when there are more than `max` (a wide search reads
 * its area another way).
 */
export function geoCells(box: BoundingBox, max: number): number[] | null {
  const rows = (lat: number) => Math.floor((lat + 90) / GEO_CELL_DEG);
  const columns = (box.lng ?? [[-180, 180]]).map(([lo, hi]) => [Math.floor((lo + 180) / GEO_CELL_DEG), Math.floor((hi + 180) / GEO_CELL_DEG)] as const);
  const count = (rows(box.maxLat) - rows(box.minLat) + 1) * columns.reduce((n, [a, b]) => n + b - a + 1, 0);
  if (count > max) return null;
  const cells = new Set<number>();
  for (let r = rows(box.minLat); r <= rows(box.maxLat); r++) {
    for (const [a, b] of columns) for (let c = a; c <= b; c++) cells.add(r * LNG_CELLS + (c % LNG_CELLS));
  }
  return [...cells].sort((x, y) => x - y);
}

/**
 * The share of the area of `cells` grid cells (about latitude `lat`) that a circle of
 * `radiusKm` covers: how much of what a read of those cells finds lies in the circle.
 */
export function cellCover(lat: number, radiusKm: number, cells: number): number {
  const cellKm = GEO_CELL_DEG * DEG * EARTH_RADIUS_KM;
  return (Math.PI * radiusKm ** 2) / (cells * cellKm * cellKm * Math.max(0.01, Math.cos(lat * DEG)));
}

/** Great-circle distance in km between two points (haversine), as the catalogue's SQL computes it. */
export function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const a = Math.sin(((lat2 - lat1) * DEG) / 2) ** 2
    + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.sin(((lng2 - lng1) * DEG) / 2) ** 2;
  return EARTH_RADIUS_KM * 2 * Math.asin(Math.min(1, Math.sqrt(a)));
}
