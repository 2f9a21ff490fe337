// The service's inbox in memory (`leadroute serve` without --store): nothing
// survives the process. SqliteInbox keeps the same rows in a database.

import type { Feedback, InboxEntry, InboxLead, LeadInbox, LeadOutcome } from '../serve/inbox.js';

export class MemoryInbox implements LeadInbox {
  private readonly leads = new Map<string, InboxLead>();
  private readonly said: Feedback[] = [];

  recordFeedback(feedback: Feedback): void {
    this.said.push({ ...feedback });
  }

  feedback(leadId: string): Feedback[] {
    return this.said.filter((f) => f.leadId === leadId).map((f) => ({ ...f }));
  }

  receive(entry: InboxEntry, lead: unknown): boolean {
    if (this.leads.has(entry.leadId)) return false;
    this.leads.set(entry.leadId, { ...entry, state: 'received', lead: structuredClone(lead), outcome: null, finishedAt: null });
    return true;
  }

  receiveAll(leads: readonly { entry: InboxEntry; lead: unknown }[]): boolean[] {
    return leads.map((l) => this.receive(l.entry, l.lead));
  }

  finish(leadId: string, outcome: LeadOutcome, at: number): void {
    const row = this.leads.get(leadId);
    if (!row) return;
    row.state = 'done';
    row.lead = null;
    row.outcome = outcome;
    row.finishedAt = at;
  }

  get(leadId: string): InboxLead | null {
    const row = this.leads.get(leadId);
    return row ? structuredClone(row) : null;
  }

  unfinished(): InboxLead[] {
    return [...this.leads.values()].filter((r) => r.state === 'received').map((r) => structuredClone(r));
  }

  recent(limit: number): InboxLead[] {
    return [...this.leads.values()].slice(-Math.max(0, limit)).reverse().map((r) => structuredClone(r));
  }
}
