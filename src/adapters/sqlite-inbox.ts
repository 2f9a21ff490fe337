// The service's inbox in the `inbox` table (migration 3) of the store's SQLite
// database, on the store's connection. `receive` is one INSERT, its own commit
// in WAL mode: once it returns, the lead survives a kill -9 of the process
// (synchronous=NORMAL loses only on power loss; FULL: not even then).

import type Database from 'better-sqlite3';
import type { Feedback, InboxEntry, InboxLead, InboxState, LeadInbox, LeadOutcome } from '../serve/inbox.js';
import { retryWhileBusy } from './errors.js';
import { FEEDBACK_TABLE_SQL, INBOX_INDEX_SQL, INBOX_TABLE_SQL } from './schema.js';

interface Row {
  lead_id: string;
  flow: string;
  source: string;
  lead: string | null;
  received_at: number;
  state: InboxState;
  outcome: string | null;
  finished_at: number | null;
}

function fromRow(r: Row): InboxLead {
  return {
    leadId: r.lead_id,
    flow: r.flow,
    source: r.source,
    receivedAt: r.received_at,
    state: r.state,
    lead: r.lead === null ? null : (JSON.parse(r.lead) as unknown),
    outcome: r.outcome === null ? null : (JSON.parse(r.outcome) as LeadOutcome),
    finishedAt: r.finished_at,
  };
}

export class SqliteInbox implements LeadInbox {
  private readonly sInsert: Database.Statement;
  private readonly sFinish: Database.Statement;
  private readonly sGet: Database.Statement;
  private readonly sUnfinished: Database.Statement;
  private readonly sRecent: Database.Statement;
  private readonly sFeedback: Database.Statement;
  private readonly sFeedbackOf: Database.Statement;
  private readonly all: (leads: readonly { entry: InboxEntry; lead: unknown }[]) => boolean[];

  /** On an open database (a SqliteStore's `db`), which it does not own. */
  constructor(db: Database.Database) {
    const wait = db.pragma('busy_timeout', { simple: true }) as number;
    retryWhileBusy(() => {
      db.exec(INBOX_TABLE_SQL);
      for (const s of INBOX_INDEX_SQL) db.exec(s);
      db.exec(FEEDBACK_TABLE_SQL);
    }, wait);
    this.sFeedback = db.prepare('INSERT INTO feedback (lead_id, buyer, kind, reason, at, source) VALUES (?, ?, ?, ?, ?, ?)');
    this.sFeedbackOf = db.prepare('SELECT lead_id AS leadId, buyer, kind, reason, at, source FROM feedback WHERE lead_id = ? ORDER BY id');
    this.sInsert = db.prepare(
      `INSERT INTO inbox (lead_id, flow, source, lead, received_at, state) VALUES (?, ?, ?, ?, ?, 'received')
       ON CONFLICT (lead_id) DO NOTHING`,
    );
    this.sFinish = db.prepare(`UPDATE inbox SET state = 'done', lead = NULL, outcome = ?, finished_at = ? WHERE lead_id = ?`);
    this.sGet = db.prepare('SELECT * FROM inbox WHERE lead_id = ?');
    this.sUnfinished = db.prepare(`SELECT * FROM inbox WHERE state = 'received' ORDER BY received_at, rowid`);
    this.all = db.transaction((leads: readonly { entry: InboxEntry; lead: unknown }[]) => leads.map((l) => this.receive(l.entry, l.lead)));
    this.sRecent = db.prepare('SELECT * FROM inbox ORDER BY received_at DESC, rowid DESC LIMIT ?');
  }

  receive(entry: InboxEntry, lead: unknown): boolean {
    const r = this.sInsert.run(entry.leadId, entry.flow, entry.source, JSON.stringify(lead), entry.receivedAt);
    return r.changes === 1;
  }

  receiveAll(leads: readonly { entry: InboxEntry; lead: unknown }[]): boolean[] {
    // One transaction, one commit: the group commit of leads that arrived together.
    return this.all(leads);
  }

  finish(leadId: string, outcome: LeadOutcome, at: number): void {
    this.sFinish.run(JSON.stringify(outcome), at, leadId);
  }

  get(leadId: string): InboxLead | null {
    const r = this.sGet.get(leadId) as Row | undefined;
    return r === undefined ? null : fromRow(r);
  }

  unfinished(): InboxLead[] {
    return (this.sUnfinished.all() as Row[]).map(fromRow);
  }

  recent(limit: number): InboxLead[] {
    return (this.sRecent.all(Math.max(0, Math.floor(limit))) as Row[]).map(fromRow);
  }

  recordFeedback(f: Feedback): void {
    this.sFeedback.run(f.leadId, f.buyer, f.kind, f.reason, f.at, f.source);
  }

  feedback(leadId: string): Feedback[] {
    return this.sFeedbackOf.all(leadId) as Feedback[];
  }
}
