// Distances on the earth for patrol tracks (巡查轨迹): positions as GeoJSON gives them,
// [longitude, latitude] in WGS 84 degrees. No data, safe for the UI bundle.

/** Mean earth radius (IUGG), metres. */
const EARTH_RADIUS_M = 6_371_008.8;

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** The great-circle distance between two [lng, lat] positions (haversine), in metres. */
export function haversineMetres(a: readonly number[], b: readonly number[]): number {
  const [lng1 = 0, lat1 = 0] = a;
  const [lng2 = 0, lat2 = 0] = b;
  const dLat = radians(lat2 - lat1);
  const dLng = radians(lng2 - lng1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The length of a GeoJSON LineString's coordinates: the sum of its segments, in whole metres. */
export function trackLengthMetres(coordinates: readonly (readonly number[])[]): number {
  let total = 0;
  for (let i = 1; i < coordinates.length; i += 1) total += haversineMetres(coordinates[i - 1]!, coordinates[i]!);
  return Math.round(total);
}

/** The fastest average a patrol may show (m/s, 108 km/h): above it the track is not a patrol's. */
export const MAX_PATROL_SPEED_MPS = 30;
