/** Distances used to grow circles. */

/** Mean Earth radius (IUGG); SaTScan's own constant is not published, so reported km may differ in the 4th digit. */
export const EARTH_RADIUS_KM = 6371.0088;

export function cartesianDistance(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Haversine great-circle distance in km between [latitude, longitude] pairs in degrees. */
export function greatCircleKm(a: readonly [number, number], b: readonly [number, number]): number {
  const toRad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * toRad;
  const dLon = (b[1] - a[1]) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * toRad) * Math.cos(b[0] * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
