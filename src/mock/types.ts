// The mock buyers' public shapes: what they record, count and answer with.

export type Endpoint = 'ping' | 'post' | 'pixel' | 'other';

/** What the server did with a request. */
export type MockOutcome =
  | 'bid'
  | 'no-bid'
  | 'duplicate'
  | 'accepted'
  | 'rejected'
  | 'unauthorized'
  | 'error'
  | 'timeout'
  | 'garbage'
  | 'reset'
  | 'pixel'
  | 'bad-request'
  | 'not-found'
  /** A post whose Idempotency-Key was answered before: the same answer again, not a new lead. */
  | 'replay';

export interface RecordedRequest {
  /** Arrival, ms since the epoch. */
  at: number;
  method: string;
  path: string;
  /** The query string without `?` ('' when none). */
  query: string;
  contentType: string;
  body: string;
  outcome: MockOutcome;
  /** For a bid: its amount and exclusivity. */
  bid?: { amount: number; exclusive: boolean };
  /** For pings and posts: the latency drawn for the answer, ms (none for a hang). */
  delayMs?: number;
  /** The post's Idempotency-Key header, when it had one. */
  idempotencyKey?: string;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface MockBuyerStats {
  name: string;
  url: string;
  port: number;
  /** Every request the server saw, whatever the path. */
  requests: number;
  pings: {
    total: number;
    bids: number;
    exclusiveBids: number;
    noBids: number;
    /** Pings answered "duplicate" (counted apart from no-bids). */
    duplicates: number;
    /** Pings without the required header (answered 401). */
    unauthorized: number;
    errors: number;
    timeouts: number;
    garbage: number;
    resets: number;
    badRequests: number;
    /** Sum of the well-formed bids' amounts. */
    bidTotal: number;
    /** Pings whose body looked like it carried an e-mail address or phone number. */
    withPii: number;
  };
  posts: {
    total: number;
    accepted: number;
    rejected: number;
    duplicates: number;
    unauthorized: number;
    errors: number;
    timeouts: number;
    garbage: number;
    resets: number;
    badRequests: number;
    /** Posts that quoted the ping_id of a ping this buyer bid on (its own id, or the one the seller sent). */
    matchedPing: number;
    /** Posts whose Idempotency-Key this buyer had answered already: answered the same again, not counted as new leads. */
    replays: number;
  };
  pixels: number;
  other: number;
  /** Server-side service time (arrival to the answer written, configured latency included) of answered requests, ms. */
  pingLatency: LatencySummary;
  postLatency: LatencySummary;
  /** The last `keep` requests, oldest first. */
  recent: RecordedRequest[];
}

export interface MockBuyersStats {
  requests: number;
  buyers: MockBuyerStats[];
}

export interface MockBuyerAddress {
  name: string;
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  /** The port the configuration asked for (0: ephemeral). */
  configuredPort: number;
}

export interface MockBuyers {
  buyers: MockBuyerAddress[];
  stats(): MockBuyersStats;
  /** Zero every counter and forget the recent requests (the servers keep running). */
  resetStats(): void;
  /** Stop every server, dropping open (and hanging) connections. Safe to call twice. */
  close(): Promise<void>;
}

/** A server could not start (its port is taken, say). Servers already started are stopped first. */
export class MockBuyersError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly buyer: string,
    readonly port: number,
  ) {
    super(message);
    this.name = 'MockBuyersError';
  }
}
