// The journal of every HTTP attempt (ping, post, pixel), as the selling side
// sees it: the Journal interface and the attempt types. Its implementations
// (MemoryJournal, SqliteJournal) are adapters, in src/adapters.
//
// What is recorded never holds lead values: ping URLs passed the PII guard,
// post URLs are plain plan strings, pixel URLs are recorded without their query
// (the templated part), and `detail` is leadroute's own reason text, with, on a
// post or ping answer that gives one, the buyer's own reason after it (read by
// a `reason "path"` rule, at most 500 characters: src/deliver/answers.ts). Nor a
// secret: URLs are the plan's (`?key={{secret.K}}`, not the value), and the
// Seller redacts every row it journals (`Secrets.redact`, ./secrets.ts).

export type AttemptKind = 'ping' | 'post' | 'pixel';

/**
 * Outcomes, by kind:
 *  ping:  bid | no-bid | invalid | error | timeout | late | refused | skipped
 *  post:  accepted | rejected | duplicate | error | timeout | skipped
 *  pixel: fired | error | timeout
 */
export type AttemptOutcome =
  | 'bid'
  | 'no-bid'
  | 'invalid'
  | 'error'
  | 'timeout'
  | 'late'
  | 'refused'
  | 'skipped'
  | 'accepted'
  | 'rejected'
  | 'duplicate'
  | 'fired';

export interface Attempt {
  leadId: string;
  buyer: string;
  kind: AttemptKind;
  url: string;
  /** ms since the epoch. */
  startedAt: number;
  durationMs: number;
  outcome: AttemptOutcome;
  /** HTTP status, when an answer came. */
  status: number | null;
  /** Why (leadroute's words, no lead values; then the buyer's reason, when its answer gave one). */
  detail: string | null;
  /** Dollars: the bid (ping) or the sale price (accepted post). */
  price?: number | null;
}

/** An attempt as callers may hand it in: without `status` and `detail` when
 *  there was no answer and nothing to say. */
export type DeliveryAttempt = Omit<Attempt, 'status' | 'detail'> & Partial<Pick<Attempt, 'status' | 'detail'>>;

/** An attempt as the journals store it: start rounded to the ms, absent fields null. */
export function normalizeAttempt(a: DeliveryAttempt): Attempt {
  return {
    leadId: a.leadId,
    buyer: a.buyer,
    kind: a.kind,
    url: a.url,
    startedAt: Math.round(a.startedAt),
    durationMs: a.durationMs,
    outcome: a.outcome,
    status: a.status ?? null,
    detail: a.detail ?? null,
    price: a.price ?? null,
  };
}

export interface AttemptRow extends Attempt {
  id: number;
  price: number | null;
}

export interface AttemptFilter {
  buyer?: string;
  leadId?: string;
  kind?: AttemptKind;
  /** startedAt >= since (ms). */
  since?: number;
  until?: number;
}

export interface Journal {
  recordAttempt(a: Attempt): void;
  /** Recorded attempts, oldest first. */
  attempts(filter?: AttemptFilter): AttemptRow[];
  close?(): void;
}

/** A pixel URL as the journal records it: without the (templated) query and fragment. */
export function redactUrl(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q) + '?…';
}
