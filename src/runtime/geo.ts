// ZIP-code geography for the built-ins distance(), zip_timezone() and zip_state().
//
// Data comes from maintained npm packages, loaded lazily (only by a plan that
// calls one of these built-ins, when it is loaded), never from hand-typed tables:
//   - `zipcodes` (BSD): centroid latitude/longitude and USPS state of ~42,000 US ZIPs;
//   - `zipcode-to-timezone` (MIT): the IANA zone of most of them. For a ZIP it does
//     not know, the zone of the nearest ZIP (by centroid) in the same state that
//     it does know is used.
// An unknown ZIP gives undefined (a missing value: every comparison is false).

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface ZipRecord {
  zip: string;
  latitude: number;
  longitude: number;
  state: string;
  country: string;
}

let codes: Record<string, ZipRecord> | null = null;
let tzLookup: ((zip: string) => string | null) | null = null;
const tzCache = new Map<string, string | null>();

function zipCodes(): Record<string, ZipRecord> {
  if (codes === null) codes = (require('zipcodes/lib/codes.js') as { codes: Record<string, ZipRecord> }).codes;
  return codes;
}

function tzOf(zip: string): string | null {
  if (tzLookup === null) tzLookup = (require('zipcode-to-timezone') as { lookup: (z: string) => string | null }).lookup;
  return tzLookup(zip);
}

/** Load the ZIP data now (the loader calls this for a plan that uses a geography built-in). */
export function loadGeography(): void {
  zipCodes();
  tzOf('00000');
}

/** The five-digit ZIP of a lead value: "12345", "12345-6789", or a number (leading zeros restored). */
export function zip5(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const m = /^\s*(\d{5})(?:-?\d{4})?\s*$/.exec(v);
    return m ? m[1] : undefined;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 100_000) return String(v).padStart(5, '0');
  return undefined;
}

function record(v: unknown): ZipRecord | undefined {
  const z = zip5(v);
  if (z === undefined) return undefined;
  const r = zipCodes()[z];
  return r !== undefined && r.country === 'US' ? r : undefined;
}

const EARTH_RADIUS_MILES = 3958.8;
const RAD = Math.PI / 180;

function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Great-circle miles between two ZIP centroids, to 0.01 mile; undefined when either is unknown. */
export function zipDistance(a: unknown, b: unknown): number | undefined {
  const x = record(a);
  const y = record(b);
  if (x === undefined || y === undefined) return undefined;
  return Math.round(haversine(x.latitude, x.longitude, y.latitude, y.longitude) * 100) / 100;
}

/** USPS state code of a ZIP; undefined when unknown. */
export function zipState(v: unknown): string | undefined {
  return record(v)?.state;
}

/** IANA time zone of a ZIP; undefined when unknown. */
export function zipTimezone(v: unknown): string | undefined {
  const r = record(v);
  if (r === undefined) return undefined;
  let tz = tzCache.get(r.zip);
  if (tz === undefined) {
    tz = tzOf(r.zip) ?? nearestZone(r);
    if (tzCache.size > 100_000) tzCache.clear();
    tzCache.set(r.zip, tz);
  }
  return tz ?? undefined;
}

/** The zone of the nearest ZIP in the same state whose zone is known. */
function nearestZone(r: ZipRecord): string | null {
  const all = zipCodes();
  let best: string | null = null;
  let bestD = Infinity;
  for (const k in all) {
    const o = all[k]!;
    if (o.state !== r.state || o.zip === r.zip) continue;
    const d = haversine(r.latitude, r.longitude, o.latitude, o.longitude);
    if (d >= bestD) continue;
    const tz = tzOf(o.zip);
    if (tz === null) continue;
    best = tz;
    bestD = d;
  }
  return best;
}
