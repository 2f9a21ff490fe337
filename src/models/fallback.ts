// `fallback premium_auto -> standard_auto with tier = "B" -> …`: run
// each flow in turn until one places the lead, rewriting lead fields between
// steps. Routing goes on after it when no step places the lead.

import { Type } from '@sinclair/typebox';
import type { CheckContext } from '../check/context.js';
import type { ExprChecker } from '../check/exprs.js';
import { checkFlowRef } from '../check/models.js';
import { exact, Expr, FlowName, Name, NonEmpty, type PlanValue } from '../plan/index.js';
import { didYouMean } from '../lang/diagnostics.js';
import { personalFieldIn } from '../check/pii.js';
import type { Engine } from '../runtime/engine.js';
import type { Evaluator } from '../runtime/expr.js';
import type { LoadedRule } from '../runtime/load.js';
import { AUCTION, NOT_PLACED, PLACED, STOPPED, type Outcome, type Run } from '../runtime/run.js';
import { couldNotPlace, noOverflows, present, statesNoTarget, type AstOf, type FlowRef, type ModelModule } from './types.js';

/** The action in the plan (its type is `Static<typeof fallbackPlan>`). */
export const fallbackPlan = exact({
  kind: Type.Literal('fallback'),
  steps: NonEmpty(exact({ flow: FlowName, rewrites: Type.Array(exact({ field: Name, value: Expr, text: Type.String() })) })),
});

export interface LoadedFallback {
  kind: 'fallback';
  steps: { flow: number; rewrites: { field: string; value: Evaluator; text: string }[] }[];
}

export const fallbackModel: ModelModule<'fallback', LoadedFallback, typeof fallbackPlan> = {
  kind: 'fallback',
  plan: fallbackPlan,

  // As the checker's LR708: a value derived from personal data is personal
  // data, so a plan may not copy one into a field pings and pixels may carry.
  planProblems(a, path, problem, plan) {
    const pii = new Set(plan.lead.fields.filter((f) => f.pii).map((f) => f.name));
    a.steps.forEach((st, j) =>
      st.rewrites.forEach((rw, k) => {
        const source = pii.has(rw.field) ? undefined : fieldReadIn(rw.value, pii);
        if (source !== undefined) problem(`${path}/steps/${j}/rewrites/${k}/value`, `'${rw.field}' is not personal data, so it cannot be set from '${source}', which is`);
      }),
    );
  },

  check: checkFallback,

  bind(a, env) {
    for (const s of present(a.steps)) {
      env.flow(s.flow);
      for (const rw of present(s.rewrites)) env.expr(rw.value, env.field(rw.field));
    }
  },

  emit: (a, env) => ({
    kind: 'fallback',
    steps: a.steps.map((s) => ({
      flow: s.flow.name,
      rewrites: s.rewrites.map((r) => ({ field: r.field.name, value: env.expr(r.value), text: env.text(r.span) })),
    })),
  }),

  load: (a, env, _rule, path) => ({
    kind: 'fallback',
    steps: a.steps.map((st, j) => ({
      flow: env.flow(st.flow, `${path}/steps/${j}/flow`),
      rewrites: st.rewrites.map((rw, k) => ({
        field: rw.field,
        value: env.expr(rw.value, `${path}/steps/${j}/rewrites/${k}/value`),
        text: rw.text,
      })),
    })),
  }),

  run: runFallback,

  unplaced: couldNotPlace,

  traits: {
    fallsThrough: () => true,
    buyers: () => [],
    flows: (a) =>
      present(a.steps)
        .map((s) => s.flow)
        .filter((f) => !!f)
        .map((ident): FlowRef => ({ ident, via: 'fallback' })),
    overflows: noOverflows,
    targets: statesNoTarget,
  },
};

// ---------------------------------------------------------------- checking

function checkFallback(ctx: CheckContext, exprs: ExprChecker, action: AstOf<'fallback'>): void {
  const steps = Array.isArray(action.steps) ? action.steps.filter((s) => !!s && typeof s === 'object') : [];
  for (const step of steps) {
    checkFlowRef(ctx, step.flow);
    const seen = new Set<string>();
    for (const rw of Array.isArray(step.rewrites) ? step.rewrites : []) {
      if (!rw || !rw.field || typeof rw.field.name !== 'string' || rw.field.name === '') continue;
      const name = rw.field.name;
      if (seen.has(name)) {
        ctx.report('LR214.setTwice', rw.field.span, name);
        continue;
      }
      seen.add(name);
      const field = ctx.fields.get(name);
      if (!field) {
        if (ctx.fieldsKnown) ctx.report('LR200', rw.field.span, name, didYouMean(name, ctx.fields.keys()));
        if (rw.value) exprs.infer(rw.value);
        continue;
      }
      exprs.assign(field, { kind: 'name', name, span: rw.field.span }, rw.value);
      // A value derived from personal data is personal data: it may not land in
      // a field that pings and pixels are allowed to carry.
      const source = field.pii ? undefined : personalFieldIn(rw.value, ctx.fields);
      if (source !== undefined && rw.value) ctx.report('LR708.rewrite', rw.value.span, name, source);
    }
  }
}

// ---------------------------------------------------------------- running

function runFallback(engine: Engine, run: Run, rule: LoadedRule, a: LoadedFallback): Outcome {
  const ctx = run.ctx;
  const savedLead = ctx.lead;
  const savedRewrites = run.rewrites;
  const steps = a.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const flowName = engine.plan.flows[step.flow]!.name;
    run.ruleId = rule.id;
    if (run.trace) engine.note(run, 'FallbackStep', `fallback step ${i + 1} of ${steps.length}: trying flow '${flowName}'`);
    if (i > 0 && step.rewrites.length > 0) {
      // Every value is evaluated against the lead as it stands before this step.
      const values = step.rewrites.map((rw) => rw.value(ctx));
      const lead: Record<string, unknown> = { ...ctx.lead };
      const rewrites: Record<string, PlanValue> = { ...(run.rewrites ?? {}) };
      step.rewrites.forEach((rw, k) => {
        const v = values[k];
        const was = lead[rw.field];
        if (v === undefined || v === null) {
          delete lead[rw.field];
          delete rewrites[rw.field];
        } else {
          lead[rw.field] = v;
          rewrites[rw.field] = v as PlanValue;
        }
        if (run.trace) {
          const show = (x: unknown) => (x === undefined || x === null ? 'missing' : typeof x === 'string' ? x : JSON.stringify(x));
          engine.note(run, 'Rewrite', `rewrote ${rw.field}: ${show(was)} → ${show(v)} (${rw.text})`);
        }
      });
      ctx.lead = lead;
      run.rewrites = rewrites;
    }
    const outcome = engine.enterFlow(run, step.flow, 'entering flow');
    if (outcome === PLACED || outcome === AUCTION) return outcome;
    if (outcome === STOPPED) {
      ctx.lead = savedLead;
      run.rewrites = savedRewrites;
      return STOPPED;
    }
    engine.newStamp(run); // a later step may offer the same buyers again
    if (run.trace) {
      run.ruleId = rule.id;
      engine.note(run, 'FallbackStep', `flow '${flowName}' placed nothing${i + 1 < steps.length ? '; next fallback step' : '; the fallback chain is exhausted'}`);
    }
  }
  ctx.lead = savedLead;
  run.rewrites = savedRewrites;
  return NOT_PLACED;
}

/** The first of `names` a plan expression reads as a field, if any. */
function fieldReadIn(expr: unknown, names: ReadonlySet<string>): string | undefined {
  const stack: unknown[] = [expr];
  while (stack.length > 0) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (n !== null && typeof n === 'object') {
      const node = n as { op?: unknown; name?: unknown };
      if (node.op === 'field' && typeof node.name === 'string' && names.has(node.name)) return node.name;
      stack.push(...Object.values(n));
    }
  }
  return undefined;
}
