// What routing one lead produces. Plain data: the CLI prints it, the server will
// return it, tests compare it.

export type TraceCode =
  | 'LeadInvalid' // the lead failed schema validation
  | 'RuleMatched' // a rule's condition held
  | 'RuleSkipped' // a rule's condition was false
  | 'RuleUnplaced' // a rule matched but none of its buyers could take the lead
  | 'FilterFailed' // a buyer's `accepts` was false
  | 'Closed' // outside the buyer's business hours
  | 'CapExceeded' // a buyer or rule cap had no room
  | 'Overflow' // a capped buyer handed the lead to its overflow target
  | 'SplitDraw' // which split entry the per-lead draw picked
  | 'TierSkipped' // a waterfall tier whose condition was false
  | 'ShareFull' // a share already has its maximum number of buyers
  | 'FlowEntered' // a `flow` action handed the lead to another flow
  | 'Taken' // the buyer takes the lead
  | 'Rejected' // a `reject` action stopped routing
  | 'NoRulePlaced'; // the flow ended without placing the lead

export interface TraceEntry {
  code: TraceCode;
  /** The buyer the entry is about, if any. */
  buyer?: string;
  /** The rule id ("solar#0") the entry is about, if any. */
  rule?: string;
  /** A sentence a business user can read: "Premium skipped: cap 100/hour reached". */
  message: string;
}

export interface SoldTo {
  name: string;
  /** Dollars. */
  price: number;
}

export interface LeadError {
  field: string;
  message: string;
}

export interface Decision {
  leadId: string;
  flow: string;
  status: 'routed' | 'unrouted' | 'rejected';
  /** Empty unless routed. */
  buyers: SoldTo[];
  /** True when sold to one buyer exclusively; false for a shared sale or no sale. */
  exclusive: boolean;
  /** Sum of the buyers' prices. */
  price: number;
  /** The rule that placed the lead. */
  rule: { id: string; text: string; line: number } | null;
  /** Why the lead was not routed (unrouted or rejected). */
  reason: string | null;
  /** For rejected leads: every field that failed validation. */
  errors: LeadError[];
  /** The lead's random number, 1..100. */
  random: number;
  /** Routing time, ISO 8601. */
  at: string;
  trace: TraceEntry[];
}
