// The service's inbox: every lead `leadroute serve` acknowledged, written (and,
// in SQLite, committed) before the answer leaves, and kept as unfinished until
// its sale and every delivery are done. After a crash, the unfinished ones are
// what the service resumes (service.ts). Implementations are adapters
// (MemoryInbox, SqliteInbox in src/adapters).

import type { Decision } from '../runtime/decision.js';
import type { DeliveryStatus } from '../deliver/types.js';

export type InboxState = 'received' | 'done';

/** What became of a lead, as the inbox keeps it once the lead is finished. */
export interface LeadOutcome {
  status: Decision['status'];
  buyers: string[];
  /** Dollars, the decision's total. */
  price: number;
  reason: string | null;
  deliveries: { buyer: string; status: DeliveryStatus }[];
  /** The lead's fields without its personal data (the plan's `pii` fields), kept
   *  so the buyer's `returned` pixels can still be rendered after a return. */
  fields?: Record<string, unknown>;
}

export interface InboxEntry {
  leadId: string;
  flow: string;
  /** The API key's source name ('anonymous' when the service runs without keys). */
  source: string;
  /** ms since the epoch. */
  receivedAt: number;
}

export interface InboxLead extends InboxEntry {
  state: InboxState;
  /** The lead as received; null once it is finished (its personal data is not kept). */
  lead: unknown;
  outcome: LeadOutcome | null;
  finishedAt: number | null;
}

/** A buyer's word on a lead it bought (POST /feedback): the event feeds buyer metrics; this is the record, with its reason. */
export interface Feedback {
  leadId: string;
  buyer: string;
  kind: 'returned' | 'converted';
  /** Why it was returned (one of the allowed reasons); null for a conversion. */
  reason: string | null;
  /** ms since the epoch. */
  at: number;
  source: string;
}

export interface LeadInbox {
  /** Write a lead down (durably, for a store on disk). False when its id is there already. */
  receive(entry: InboxEntry, lead: unknown): boolean;
  /** Write several down in one commit (group commit); per lead, false when its id was there already. */
  receiveAll(leads: readonly { entry: InboxEntry; lead: unknown }[]): boolean[];
  /** The lead is finished: its outcome kept, its JSON dropped. */
  finish(leadId: string, outcome: LeadOutcome, at: number): void;
  get(leadId: string): InboxLead | null;
  /** Leads received and not finished, oldest first. */
  unfinished(): InboxLead[];
  /** The latest leads, newest first. */
  recent(limit: number): InboxLead[];
  recordFeedback(feedback: Feedback): void;
  /** A lead's feedback, in the order recorded. */
  feedback(leadId: string): Feedback[];
}
