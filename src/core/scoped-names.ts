// Scoped names: dotted names (`bid.price`, `buyer.acceptance`) that only some
// expressions may read, one entry each with its type, the places it is valid
// and where the runtime reads it. The checker types them and reports one used
// elsewhere; the emitter passes them through; the runtime reads them from the
// evaluation context (the bid, or the buyer's measures from src/auction/rank.ts).

/** Expressions that have scoped names in scope. */
export type ScopedPlace = 'floor' | 'rank';

/** The evaluation-context object a scoped name is read from: `ctx.bid`, or `ctx.vars.buyer`. */
export type ScopedSource = 'bid' | 'buyer';

export interface ScopedNameDef {
  /** The checker's type of the name. */
  type: 'money' | 'number';
  places: readonly ScopedPlace[];
  source: ScopedSource;
  /** The key read on the source object. */
  key: string;
  doc: string;
}

const rankOnly = (key: string, doc: string): ScopedNameDef => ({ type: 'number', places: ['rank'], source: 'buyer', key, doc });

export const SCOPED_NAMES = {
  'bid.price': { type: 'money', places: ['rank', 'floor'], source: 'bid', key: 'price', doc: "the bid's price" },
  'buyer.acceptance': rankOnly('acceptance', "the buyer's post accept rate"),
  'buyer.conversion': rankOnly('conversion', 'conversions per accepted post'),
  'buyer.bid_rate': rankOnly('bid_rate', 'bids per ping'),
  'buyer.win_rate': rankOnly('win_rate', 'wins per bid'),
  'buyer.response_time': rankOnly('response_time', 'mean ping answer time, ms'),
  'buyer.relationship': rankOnly('relationship', "the buyer's declared relationship score"),
} as const satisfies Record<string, ScopedNameDef>;

export type ScopedName = keyof typeof SCOPED_NAMES;

export const SCOPED_NAME_LIST: readonly ScopedName[] = Object.keys(SCOPED_NAMES) as ScopedName[];

export function isScopedName(name: string): name is ScopedName {
  return Object.prototype.hasOwnProperty.call(SCOPED_NAMES, name);
}

export function scopedName(name: ScopedName): ScopedNameDef {
  return SCOPED_NAMES[name];
}

/** The scoped names valid in one place. */
export function scopedNamesIn(place: ScopedPlace): ScopedName[] {
  return SCOPED_NAME_LIST.filter((n) => (SCOPED_NAMES[n].places as readonly ScopedPlace[]).includes(place));
}

const PLACE_TEXT: Record<ScopedPlace, string> = { rank: "an auction's `rank by`", floor: 'floors' };

/** "an auction's `rank by` and floors": where a name is known, for messages. */
export function scopedWhere(name: ScopedName): string {
  return SCOPED_NAMES[name].places.map((p) => PLACE_TEXT[p]).join(' and ');
}
