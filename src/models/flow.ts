// `flow NAME`: run another flow; when it places nothing, routing goes on with
// the rule after this one.

import { checkFlowRef } from '../check/models.js';
import { noOverflows, statesNoTarget, type ModelModule } from './types.js';

export interface LoadedFlowAction {
  kind: 'flow';
  flow: number;
}

export const flowModel: ModelModule<'flow', LoadedFlowAction> = {
  kind: 'flow',

  check: (ctx, _exprs, a) => checkFlowRef(ctx, a.flow),

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
