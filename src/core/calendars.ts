// Public-holiday calendars (`holidays "US", "US-CA", "DE-BY-A"`), defined once
// for the checker, the plan verifier and the runtime: a calendar is valid when
// the `date-holidays` package can serve exactly it.
//
// A code is a country, `-` a state, `-` a region, each as date-holidays lists it.
// date-holidays upper-cases every part before it looks it up, so a part it lists
// in mixed case ("CK-Aitutaki", "NZ-CAN-Timaru") can never be looked up: asked
// for it, the package silently serves the parent calendar instead. Such codes,
// and lower-case spellings, are therefore refused, with the code to write.
//
// The package is loaded lazily (a plan with no holidays never loads it).

import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';
import { closestName } from './suggest.js';
import { MAX_SUGGESTION_NAME_LENGTH } from './limits.js';

type HolidaysClass = typeof Holidays;
let HolidaysCtor: HolidaysClass | undefined;

/** The date-holidays class (its CommonJS export, whichever way the loader wraps it). */
export function holidaysLibrary(): HolidaysClass {
  if (HolidaysCtor === undefined) {
    const m = createRequire(import.meta.url)('date-holidays') as HolidaysClass | { default: HolidaysClass };
    HolidaysCtor = typeof m === 'function' ? m : m.default;
  }
  return HolidaysCtor;
}

/** A calendar code split into its parts: "DE-BY-A" → DE, BY, A. */
export interface CalendarParts {
  country: string;
  state?: string;
  region?: string;
}

export function calendarParts(code: string): CalendarParts {
  const [country = '', state, region] = code.split('-');
  return { country, ...(state === undefined ? {} : { state }), ...(region === undefined ? {} : { region }) };
}

/** What is wrong with a calendar code, and the code to write instead. */
export interface CalendarProblem {
  /** Reads after "it": "names no country the holiday calendars know (`XX`)". */
  problem: string;
  suggestion?: string;
}

// Names date-holidays lists: each part's codes, split into those it can look up
// (upper case) and those it lists but cannot.
interface Listed {
  servable: string[];
  unservable: string[];
}

const listedCache = new Map<string, Listed>();

function listed(key: string, read: () => Record<string, string> | undefined): Listed {
  let l = listedCache.get(key);
  if (l === undefined) {
    const codes = Object.keys(read() ?? {});
    l = { servable: codes.filter((c) => c === c.toUpperCase()), unservable: codes.filter((c) => c !== c.toUpperCase()) };
    listedCache.set(key, l);
  }
  return l;
}

const countries = () => listed('', () => new (holidaysLibrary())().getCountries());
const states = (country: string) => listed(country, () => new (holidaysLibrary())().getStates(country));
const regions = (country: string, state: string) => listed(`${country}-${state}`, () => new (holidaysLibrary())().getRegions(country, state));

/** The servable code `part` most likely meant: itself in upper case, or the closest by spelling. */
function guess(part: string, known: Listed): string | undefined {
  const upper = part.toUpperCase();
  if (known.servable.includes(upper)) return upper;
  if (part.length > MAX_SUGGESTION_NAME_LENGTH) return undefined;
  return closestName(part, known.servable);
}

/** Undefined when date-holidays serves `code` exactly; else why not, and what to write. */
export function calendarProblem(code: string): CalendarProblem | undefined {
  const parts = code.split('-');
  const [country = '', state, region] = parts;
  const known = countries();
  if (!known.servable.includes(country)) {
    const g = guess(country, known);
    return {
      problem: `names no country the holiday calendars know (\`${country}\`)`,
      suggestion: g ? `did you mean \`"${[g, ...parts.slice(1)].join('-').toUpperCase()}"\`?` : 'use an ISO 3166 country code such as `"US"`',
    };
  }
  if (state === undefined) return undefined;
  const inCountry = states(country);
  if (!inCountry.servable.includes(state)) return partProblem(state, inCountry, country, 'region');
  if (region === undefined) return undefined;
  // A fourth part is never a calendar: report the tail as one unknown part.
  const tail = parts.slice(2).join('-');
  const inState = regions(country, state);
  if (!inState.servable.includes(tail)) return partProblem(tail, inState, `${country}-${state}`, 'part');
  return undefined;
}

/** `part` is not a servable subdivision of `parent`. */
function partProblem(part: string, known: Listed, parent: string, noun: 'region' | 'part'): CalendarProblem {
  if (known.unservable.includes(part)) {
    return {
      problem: `names \`${part}\`, which the holiday calendars list under \`${parent}\` but cannot look up (they would serve \`${parent}\`'s holidays alone)`,
      suggestion: `write \`"${parent}"\``,
    };
  }
  const g = guess(part, known);
  return {
    problem:
      noun === 'region' && known.servable.length === 0
        ? `names a region of \`${parent}\`, which has no regional calendars`
        : `names no ${noun} of \`${parent}\` the holiday calendars know (\`${part}\`)`,
    suggestion: g ? `did you mean \`"${parent}-${g}"\`?` : `write \`"${parent}"\``,
  };
}
