// Public holidays, for buyers with `holidays ["US"]`: a buyer is closed for the
// whole local day (in its own zone) of every public holiday (date-holidays type
// 'public', substitute days included) of each calendar it names. Which calendars
// exist is decided once, in src/core/calendars.ts ("US", "US-CA", "DE-BY-A").
//
// The data comes from the `date-holidays` package, loaded lazily (a plan with no
// holidays never loads it); each (calendar, year) is computed once and cached as
// a map from day number (days since 1970-01-01) to the holiday's name.

import { calendarParts, holidaysLibrary } from '../core/calendars.js';

const DAY = 86_400_000;

const years = new Map<string, Map<number, string>>();

/** Public holidays of `calendar` in `year`: day number → name. */
function holidaysOf(calendar: string, year: number): Map<number, string> {
  const k = `${calendar}|${year}`;
  let m = years.get(k);
  if (m !== undefined) return m;
  m = new Map();
  const { country, state, region } = calendarParts(calendar);
  const H = holidaysLibrary();
  const hd = new H({ country, ...(state === undefined ? {} : { state }), ...(region === undefined ? {} : { region }) });
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
