// IANA time-zone names, defined once for the checker, the plan verifier and the
// runtime: validation (luxon, which the runtime's clocks use, so what passes
// here works there) and "did you mean" over the IANA list.

import { IANAZone } from 'luxon';
import { closestName } from './suggest.js';
import { MAX_SUGGESTION_NAME_LENGTH } from './limits.js';

let zoneList: string[] | undefined;

function knownZones(): string[] {
  if (zoneList === undefined) {
    let list: string[] = [];
    try {
      list = Intl.supportedValuesOf('timeZone');
    } catch {
      list = [];
    }
    zoneList = [...new Set([...list, 'UTC'])];
  }
  return zoneList;
}

/** Zones found valid so far. luxon asks Intl anew on every call, which costs
 *  far more than the rest of checking (or loading) a buyer; the set is bounded
 *  by the IANA list, since an invalid name is never added. */
const validZones = new Set<string>();

export function isValidZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  if (validZones.has(zone)) return true;
  try {
    if (!IANAZone.isValidZone(zone)) return false;
  } catch {
    return false;
  }
  validZones.add(zone);
  return true;
}

/** The closest IANA zone name, if one is close enough to be a typo. */
export function closestZone(zone: string): string | undefined {
  if (typeof zone !== 'string' || zone.length > MAX_SUGGESTION_NAME_LENGTH) return undefined;
  const zones = knownZones();
  const best = closestName(zone, zones);
  if (best !== undefined) return best;
  // "New York" for "America/New_York": match the city part alone.
  const cities = new Map<string, string>();
  for (const z of zones) {
    const c = z.split('/').pop()!;
    if (z.includes('/') && !cities.has(c)) cities.set(c, z);
  }
  const city = closestName(zone.split('/').pop()!.replace(/ /g, '_'), cities.keys());
  return city === undefined ? undefined : cities.get(city);
}
