// `reject "reason"`: stop routing; the lead is unrouted with this reason, also
// from inside a nested flow.

import { Type } from '@sinclair/typebox';
import { STOPPED } from '../runtime/run.js';
import { couldNotPlace, noFlows, noOverflows, statesNoTarget, type ModelModule } from './types.js';
import { exact } from '../plan/index.js';

/** The action in the plan (its type is `Static<typeof rejectPlan>`). */
export const rejectPlan = exact({ kind: Type.Literal('reject'), reason: Type.String() });

export interface LoadedReject {
  kind: 'reject';
  reason: string;
}

export const rejectModel: ModelModule<'reject', LoadedReject, typeof rejectPlan> = {
  kind: 'reject',
  plan: rejectPlan,

  check: () => undefined, // a string: nothing to check

  bind: () => undefined, // no names, no expressions

  emit: (a) => ({ kind: 'reject', reason: a.reason }),

  load: (a) => ({ kind: 'reject', reason: a.reason }),

  run(engine, run, rule, a) {
    run.rule = rule;
    run.rejectReason = a.reason;
    if (run.trace) engine.note(run, 'Rejected', `rule '${rule.label}' rejects the lead: ${a.reason}`);
    return STOPPED;
  },

  unplaced: couldNotPlace, // never asked: a reject stops routing

  traits: {
    fallsThrough: () => false,
    buyers: () => [],
    flows: noFlows,
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};
