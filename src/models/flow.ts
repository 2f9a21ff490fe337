// `flow NAME`: run another flow; when it places nothing, routing goes on with
// the rule after this one.

import { Type } from '@sinclair/typebox';
import { checkFlowRef } from '../check/models.js';
import { noOverflows, statesNoTarget, type ModelModule } from './types.js';
import { exact, FlowName } from '../plan/index.js';

/** The action in the plan (its type is `Static<typeof flowPlan>`). */
export const flowPlan = exact({ kind: Type.Literal('flow'), flow: FlowName });

export interface LoadedFlowAction {
  kind: 'flow';
  flow: number;
}

export const flowModel: ModelModule<'flow', LoadedFlowAction, typeof flowPlan> = {
  kind: 'flow',
  plan: flowPlan,

  check: (ctx, _exprs, a) => checkFlowRef(ctx, a.flow),

  bind: (a, env) => env.flow(a.flow),

  emit: (a) => ({ kind: 'flow', flow: a.flow.name }),

  load: (a, env, _rule, path) => ({ kind: 'flow', flow: env.flow(a.flow, `${path}/flow`) }),

  run: (engine, run, _rule, a) => engine.enterFlow(run, a.flow, 'entering flow'),

  unplaced: (engine, rule, a) => `flow '${engine.plan.flows[a.flow]!.name}' placed nothing; continuing after rule '${rule.label}'`,

  traits: {
    fallsThrough: () => true,
    buyers: () => [],
    flows: (a) => (a.flow ? [{ ident: a.flow, via: 'flow' }] : []),
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};
