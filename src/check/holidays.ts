// Public-holiday calendars (`holidays "US", "US-CA"`): validated against the
// `date-holidays` package, which the runtime uses, so a calendar that passes
// here is one the runtime knows. Without the package, only the shape is
// checked: an ISO 3166-1 country code, optionally `-` a region code.

import { createRequire } from 'node:module';
import { closestName } from '../lang/diagnostics.js';

interface HolidaysApi {
  getCountries(lang?: string): Record<string, string> | undefined;
  getStates(country: string, lang?: string): Record<string, string> | undefined;
  getRegions(country: string, state: string, lang?: string): Record<string, string> | undefined;
}

let api: HolidaysApi | null | undefined;

function holidaysApi(): HolidaysApi | null {
  if (api !== undefined) return api;
  try {
    const req = createRequire(import.meta.url);
    const mod = req('date-holidays') as unknown;
    const Ctor = (typeof mod === 'function' ? mod : (mod as { default?: unknown })?.default) as new () => HolidaysApi;
    api = new Ctor();
  } catch {
    api = null;
  }
  return api;
}

const SHAPE = /^[A-Z]{2}(-[A-Z0-9]{1,5}){0,2}$/;

function keys(r: Record<string, string> | undefined | null): string[] {
  return r && typeof r === 'object' ? Object.keys(r) : [];
}

/** Undefined when the calendar is known; else why not, and a guess. */
export function checkCalendar(code: string): { problem: string; suggestion?: string } | undefined {
  if (typeof code !== 'string') return { problem: 'is not a calendar code' };
  const h = holidaysApi();
  if (!h) {
    if (SHAPE.test(code)) return undefined;
    const upper = code.toUpperCase();
    return {
      problem: 'is not a country code (`US`) or a country-region code (`US-CA`)',
      suggestion: SHAPE.test(upper) ? `codes are upper case: \`"${upper}"\`` : undefined,
    };
  }
  let countries: string[] = [];
  try {
    countries = keys(h.getCountries());
  } catch {
    countries = [];
  }
  if (countries.length === 0) return SHAPE.test(code) ? undefined : { problem: 'is not a calendar code' };
  const [country = '', state, region, ...rest] = code.split('-');
  if (!countries.includes(country)) {
    const upper = country.toUpperCase();
    const guess = countries.includes(upper) ? upper : closestName(country, countries);
    const tail = code.slice(country.length);
    return {
      problem: `names no country the holiday calendars know (\`${country}\`)`,
      suggestion: guess ? `did you mean \`"${guess}${tail.toUpperCase()}"\`?` : 'use an ISO 3166 country code such as `"US"`',
    };
  }
  if (state === undefined) return undefined;
  let states: string[] = [];
  try {
    states = keys(h.getStates(country));
  } catch {
    states = [];
  }
  if (!states.includes(state)) {
    const guess = states.includes(state.toUpperCase()) ? state.toUpperCase() : closestName(state, states);
    return {
      problem:
        states.length === 0
          ? `names a region of \`${country}\`, which has no regional calendars`
          : `names no region of \`${country}\` the holiday calendars know (\`${state}\`)`,
      suggestion: guess ? `did you mean \`"${country}-${guess}"\`?` : states.length === 0 ? `write \`"${country}"\`` : undefined,
    };
  }
  if (region === undefined) return undefined;
  let regions: string[] = [];
  try {
    regions = keys(h.getRegions(country, state));
  } catch {
    regions = [];
  }
  if (rest.length > 0 || !regions.includes(region)) {
    const guess = rest.length === 0 ? closestName(region, regions) : undefined;
    return {
      problem: `names no part of \`${country}-${state}\` the holiday calendars know (\`${[region, ...rest].join('-')}\`)`,
      suggestion: guess ? `did you mean \`"${country}-${state}-${guess}"\`?` : `write \`"${country}-${state}"\``,
    };
  }
  return undefined;
}
