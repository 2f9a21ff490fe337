// Public holidays, for buyers with `holidays ["US"]`: a buyer is closed for the
// whole local day (in its own zone) of every public holiday (date-holidays type
// 'public', substitute days included) of each calendar it names. A calendar is a
// country code ("US") or a country and region ("US-CA").
//
// The data comes from the `date-holidays` package, loaded lazily (a plan with no
// holidays never loads it); each (calendar, year) is computed once and cached as
// a map from day number (days since 1970-01-01) to the holiday's name.

import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';

const require = createRequire(import.meta.url);
const DAY = 86_400_000;

type HolidaysClass = typeof Holidays;
let HolidaysCtor: HolidaysClass | null = null;

function ctor(): HolidaysClass {
  if (HolidaysCtor === null) {
    const m = require('date-holidays') as HolidaysClass | { default: HolidaysClass };
    HolidaysCtor = typeof m === 'function' ? m : m.default;
  }
  return HolidaysCtor;
}

let known: { countries: Record<string, string>; states: Map<string, Record<string, string>> } | null = null;

/** Null when `calendar` names a country (and region) date-holidays knows, else why not. */
export function checkCalendar(calendar: string): string | null {
  const H = ctor();
  known ??= { countries: new H().getCountries(), states: new Map() };
  const [country, region, ...more] = calendar.split('-');
  if (more.length > 0 || !country) return `"${calendar}" is not a holiday calendar (use a country code like "US" or "US-CA")`;
  const c = country.toUpperCase();
  if (!Object.prototype.hasOwnProperty.call(known.countries, c)) return `unknown holiday country "${country}"`;
  if (region !== undefined) {
    let states = known.states.get(c);
    if (states === undefined) {
      states = new H().getStates(c) ?? {};
      known.states.set(c, states);
    }
    if (!Object.prototype.hasOwnProperty.call(states, region.toUpperCase())) {
      return `unknown region "${region}" of holiday country ${c}`;
    }
  }
  return null;
}

const years = new Map<string, Map<number, string>>();

/** Public holidays of `calendar` in `year`: day number → name. */
function holidaysOf(calendar: string, year: number): Map<number, string> {
  const k = `${calendar}|${year}`;
  let m = years.get(k);
  if (m !== undefined) return m;
  m = new Map();
  const [country, region] = calendar.toUpperCase().split('-');
  const H = ctor();
  const hd = region === undefined ? new H(country!) : new H(country!, region);
  for (const h of hd.getHolidays(year)) {
    if (h.type !== 'public') continue;
    const d = /^(\d{4})-(\d{2})-(\d{2})/.exec(h.date);
    if (!d) continue;
    const day = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) / DAY;
    if (!m.has(day)) m.set(day, h.name);
  }
  if (years.size > 1000) years.clear();
  years.set(k, m);
  return m;
}

/** The holiday on local day `day` (days since 1970-01-01) in any of the calendars, or null. */
export function holidayOn(calendars: readonly string[], day: number): { calendar: string; name: string } | null {
  const year = new Date(day * DAY).getUTCFullYear();
  for (const c of calendars) {
    const name = holidaysOf(c, year).get(day);
    if (name !== undefined) return { calendar: c, name };
  }
  return null;
}
