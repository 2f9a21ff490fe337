// The built-in functions a rule file may call, one entry each: what the checker
// types a call against (parameters, result), what the runtime runs, and the doc
// shown to users. The checker (src/check/exprs.ts) and the runtime
// (src/runtime/expr.ts) both read this table, so a builtin cannot be known to
// one and not the other. There is no way for a rule file to define a function:
// the language is not Turing-complete.
//
// Why a host: three builtins read time-zone clocks (luxon) or ZIP geography (npm
// data loaded lazily), which belong to the runtime. Core stays free of both by
// declaring what an implementation needs (`BuiltinHost`); the runtime passes its
// clocks and geography in. The implementations themselves live here.

/** Argument types as the checker understands them (also how a signature is shown). */
export type BuiltinType =
  | 'number' // int, number, money, percent and duration all accept 'number'
  | 'int'
  | 'string' // string-like: string, enum, state, zip, email, phone
  | 'bool'
  | 'time'
  | 'duration'
  | 'list'
  | 'zip'
  | 'any';

/** Result types: the checker's type of a call. */
export type BuiltinResult = 'int' | 'number' | 'string' | 'state' | 'bool' | 'duration';

/** Argument kinds a numeric result can keep (`abs($5)` is money, `round(5m)` a duration). */
export type KeptKind = 'int' | 'number' | 'money' | 'duration';

/** The time of day in one zone, as the runtime's clocks give it. */
export interface ZoneReader {
  hour(t: number): number;
  weekday(t: number): number;
}

/** What the runtime lends the implementations: clocks and ZIP geography. */
export interface BuiltinHost {
  /** The clock of an IANA zone, or null for a name that is not one. */
  zoneClock(zone: string): ZoneReader | null;
  zipDistance(a: unknown, b: unknown): number | undefined;
  zipState(v: unknown): string | undefined;
  zipTimezone(v: unknown): string | undefined;
}

/** The evaluation state an implementation may read: routing time (ms since the epoch). */
export interface BuiltinEnv {
  readonly now: number;
}

export type BuiltinImpl = (args: readonly unknown[], env: BuiltinEnv, host: BuiltinHost) => unknown;

export interface BuiltinDef {
  params: readonly BuiltinType[];
  /** The call's type; see `keeps`. */
  result: BuiltinResult;
  /** When the joined argument type is one of these kinds, the call has that type instead of `result`. */
  keeps?: readonly KeptKind[];
  /** How a message names the argument wanted, when the type alone says too little. */
  wants?: string;
  /** The argument must have a length: a string (or string-like value) or a list. */
  sized?: boolean;
  /** The first argument is an IANA time zone: checked when it is a literal, and its clock fixed once. */
  zoneArgument?: boolean;
  /** The argument is a lead field's name, not a value (`exists(f)`). */
  fieldArgument?: boolean;
  /** Needs the ZIP geography loaded. */
  geography?: boolean;
  doc: string;
  impl: BuiltinImpl;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
const present = (v: unknown): boolean => v !== undefined && v !== null;

/** Whether `container` holds `v`: list membership or substring; undefined for anything else. */
export function containsValue(container: unknown, v: unknown): boolean | undefined {
  if (Array.isArray(container)) return container.includes(v);
  if (typeof container === 'string') return typeof v === 'string' ? container.includes(v) : false;
  return undefined;
}

function zoneRead(zone: unknown, host: BuiltinHost): ZoneReader | null {
  return typeof zone === 'string' ? host.zoneClock(zone) : null;
}

export const BUILTINS = {
  zip3: {
    params: ['zip'],
    result: 'string',
    doc: 'The first three digits of a ZIP code (the sectional centre).',
    impl: ([v]) =>
      typeof v === 'string' ? v.slice(0, 3) : typeof v === 'number' ? String(v).padStart(5, '0').slice(0, 3) : undefined,
  },
  lower: {
    params: ['string'],
    result: 'string',
    doc: 'Lower-case a string.',
    impl: ([v]) => (typeof v === 'string' ? v.toLowerCase() : undefined),
  },
  upper: {
    params: ['string'],
    result: 'string',
    doc: 'Upper-case a string.',
    impl: ([v]) => (typeof v === 'string' ? v.toUpperCase() : undefined),
  },
  len: {
    params: ['any'],
    result: 'int',
    wants: 'a string or a list',
    sized: true,
    doc: 'Length of a string or list; 0 for a missing field.',
    impl: ([v]) => (typeof v === 'string' || Array.isArray(v) ? v.length : 0),
  },
  abs: {
    params: ['number'],
    result: 'number',
    keeps: ['int', 'number', 'money', 'duration'],
    doc: 'Absolute value.',
    impl: ([v]) => (isNum(v) ? Math.abs(v) : undefined),
  },
  min: {
    params: ['number', 'number'],
    result: 'number',
    keeps: ['int', 'number', 'money', 'duration'],
    doc: 'The smaller of two numbers.',
    impl: ([x, y]) => (isNum(x) && isNum(y) ? Math.min(x, y) : undefined),
  },
  max: {
    params: ['number', 'number'],
    result: 'number',
    keeps: ['int', 'number', 'money', 'duration'],
    doc: 'The larger of two numbers.',
    impl: ([x, y]) => (isNum(x) && isNum(y) ? Math.max(x, y) : undefined),
  },
  round: {
    params: ['number'],
    result: 'int',
    keeps: ['money', 'duration'],
    doc: 'Round to the nearest integer.',
    impl: ([v]) => (isNum(v) ? Math.round(v) : undefined),
  },
  hour: {
    params: ['string'],
    result: 'int',
    wants: 'a time zone name (a string)',
    zoneArgument: true,
    doc: 'Hour of day (0..23) at routing time in the given IANA time zone.',
    impl: ([z], env, host) => zoneRead(z, host)?.hour(env.now),
  },
  weekday: {
    params: ['string'],
    result: 'int',
    wants: 'a time zone name (a string)',
    zoneArgument: true,
    doc: 'ISO weekday (1 = Monday … 7 = Sunday) at routing time in the given IANA time zone.',
    impl: ([z], env, host) => zoneRead(z, host)?.weekday(env.now),
  },
  age: {
    params: ['time'],
    result: 'duration',
    doc: 'Time elapsed between a time field and routing time.',
    impl: ([v], env) => {
      const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
      return Number.isNaN(t) ? undefined : env.now - t;
    },
  },
  exists: {
    params: ['any'],
    result: 'bool',
    fieldArgument: true,
    doc: 'True when the lead carries a value for the field.',
    impl: ([v]) => present(v),
  },
  contains: {
    params: ['any', 'any'],
    result: 'bool',
    doc: 'True when a list holds the value, or a string holds the substring.',
    impl: ([x, v]) => present(v) && containsValue(x, v) === true,
  },
  distance: {
    params: ['zip', 'zip'],
    result: 'number',
    geography: true,
    doc: 'Miles between the centroids of two US ZIP codes (great-circle); missing for an unknown ZIP.',
    impl: ([a, b], _env, host) => host.zipDistance(a, b),
  },
  zip_timezone: {
    params: ['zip'],
    result: 'string',
    geography: true,
    doc: 'The IANA time zone of a US ZIP code ("America/Chicago"); missing for an unknown ZIP.',
    impl: ([v], _env, host) => host.zipTimezone(v),
  },
  zip_state: {
    params: ['zip'],
    result: 'state',
    geography: true,
    doc: 'The USPS state code of a US ZIP code ("TX"); missing for an unknown ZIP.',
    impl: ([v], _env, host) => host.zipState(v),
  },
} as const satisfies Record<string, BuiltinDef>;

export type BuiltinName = keyof typeof BUILTINS;

export const BUILTIN_NAMES: readonly BuiltinName[] = Object.keys(BUILTINS) as BuiltinName[];

export function isBuiltin(name: string): name is BuiltinName {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name);
}

/** A builtin's entry, widened to the common shape (optional traits readable). */
export function builtin(name: BuiltinName): BuiltinDef {
  return BUILTINS[name];
}

/** `min(number, number)`: how a signature is shown in messages and docs. */
export function signatureText(name: BuiltinName): string {
  return `${name}(${BUILTINS[name].params.join(', ')})`;
}
