// Selling plans written in the language: each builder gives rule text, and
// sellPlan compiles it (test/helpers/lang.ts). The builders' defaults are the
// generous ones the selling tests rely on (a loaded test machine must not turn
// answers into timeouts). The PII tests keep hand-built plans (helpers.ts):
// they need pings the checker refuses to compile.
import type { Plan } from '../../src/models/plan.js';
import { planOf } from '../helpers/lang.js';

/** The lead the selling tests send (`lead()` in helpers.ts fills it in). */
export const SELL_LEAD = `lead {
  id: string optional
  state: state
  zip: zip optional
  credit_score: int optional
  homeowner: bool optional
  created_at: time optional
  email: email pii optional
  phone: phone pii optional
  first_name: string pii optional
}`;

/** Where the bid is in the test servers' answers (`bid()` in helpers.ts). */
const BID_MAP = 'bid accepted "status" == "accepted", price "bid.amount", id "ping_id", exclusive "exclusive", states "states", max_age "max_age"';

export const ping = (url: string, o: { timeout?: string } = {}): string =>
  `ping "${url}" timeout ${o.timeout ?? '2s'} fields state, zip3, credit_score\n  ${BID_MAP}`;

export interface PostText {
  timeout?: string;
  retries?: number;
  backoff?: string;
  /** false: any 2xx answer is accepted. */
  accepted?: boolean;
}

export const post = (url: string, o: PostText = {}): string =>
  [
    `post "${url}" timeout ${o.timeout ?? '2s'}`,
    o.retries ? `retry ${o.retries}` : '',
    `backoff ${o.backoff ?? '10ms'}`,
    o.accepted === false ? '' : 'accepted "result" == "success"',
  ]
    .filter((part) => part !== '')
    .join(' ');

export interface BuyerText {
  price?: number;
  ping?: string;
  post?: string;
  backupPost?: string;
  cap?: string;
  /** Further clauses, one a line: `delay 150ms`, `pixel "…" on sold`, … */
  clauses?: string[];
}

export const httpBuyer = (name: string, o: BuyerText = {}): string => {
  const clauses = [
    o.price === undefined ? undefined : `price $${o.price}`,
    o.ping,
    o.post,
    o.backupPost === undefined ? undefined : `backup ${o.backupPost}`,
    o.cap === undefined ? undefined : `cap ${o.cap}`,
    ...(o.clauses ?? []),
  ];
  return `buyer ${name} {\n${clauses.filter((c) => c !== undefined).map((c) => `  ${c}\n`).join('')}}`;
};

export interface AuctionText {
  tiers: { buyers: string[]; floor?: string }[];
  timeout?: string;
  exclusiveMin?: string;
  shared?: number;
  rank?: string;
}

export const auction = (o: AuctionText): string =>
  [
    'auction',
    o.tiers.map((t) => `{ ${t.buyers.join(', ')} }${t.floor === undefined ? '' : ` floor ${t.floor}`}`).join(' then '),
    `timeout ${o.timeout ?? '3s'}`,
    o.exclusiveMin === undefined ? '' : `exclusive min ${o.exclusiveMin}`,
    `shared max ${o.shared ?? 1}`,
    o.rank === undefined ? '' : `rank by ${o.rank}`,
  ]
    .filter((part) => part !== '')
    .join(' ');

/**
 * The plan of buyers and one flow `main` holding `action`. `auctionFloor`
 * (a plan expression) is set on the auction by hand: the language has floors
 * per tier only (its auctions emit `floor: null`), the runtime still honours a
 * plan's auction-wide floor.
 */
export function sellPlan(buyers: string[], action: string, o: { auctionFloor?: Plan['buyers'][number]['price'] } = {}): Plan {
  const plan = planOf(`${SELL_LEAD}\n${buyers.join('\n')}\nflow main {\n  ${action}\n}\n`, { file: 'sell.route' });
  if (o.auctionFloor !== undefined) {
    for (const rule of plan.flows[0]!.rules) if (rule.action.kind === 'auction') rule.action.floor = o.auctionFloor;
  }
  return plan;
}
