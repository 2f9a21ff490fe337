// What a ping is routed with: the plan with every lead field optional (a ping
// offers some fields and never the personal ones), on a store that reads the
// service's counters and keys and writes nowhere, so a ping counts no cap,
// remembers no duplicate and journals nothing.

import type { Plan } from '../compile/index.js';
import type { RouterStore, StoreEvent, EventKind } from '../runtime/store.js';
import type { Decision } from '../runtime/decision.js';

/** The plan as a ping is routed: the same rules and buyers, no field required. */
export function pingPlanOf(plan: Plan): Plan {
  const schema = { ...plan.lead.schema };
  delete schema.required;
  return { ...plan, lead: { fields: plan.lead.fields.map((f) => ({ ...f, optional: true })), schema } };
}

/** Reads go to `store`; writes are dropped (a cap counted by a ping is not counted). */
export class PeekStore implements RouterStore {
  constructor(private readonly store: RouterStore) {}

  get(key: string, now?: number): number {
    // With `now`, an expired counter reads as 0 (the store may drop it: its own housekeeping).
    return this.store.get(key, now);
  }

  add(_key: string, _amount: number, _expiresAt: number): void {}

  hasKey(key: string, now: number): boolean {
    return this.store.hasKey(key, now);
  }

  putKey(_key: string, _expiresAt: number): void {}

  recordEvent(_event: StoreEvent): void {}

  countEvents(buyer: string, kind: EventKind, since: number): number {
    return this.store.countEvents(buyer, kind, since);
  }

  recordDecision(_decision: Decision): void {}

  close(): void {}
}
