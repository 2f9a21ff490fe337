// The checker's passes in order. `check` (index.ts) is the public entry point;
// `checkStrict` lets an internal error escape, for tests that want to see one.

import type { RuleFile, Span } from '../lang/ast.js';
import { sortDiagnostics, type Diagnostic } from '../lang/diagnostics.js';
import { checkAlerts } from './alerts.js';
import { bind, Bindings } from './binder.js';
import { checkBuyer, declareBuyers } from './buyers.js';
import { CheckContext, isSpan } from './context.js';
import { checkClosedCycles, checkFlowCycles, checkOverflowCycles } from './cycles.js';
import { ExprChecker } from './exprs.js';
import { checkFlow, declareFlows } from './flows.js';
import { checkReachability } from './reach.js';
import { diskReader } from './disk.js';
import { rootOf } from './files.js';
import { resolveLead, type SchemaOptions } from './schema.js';
import { TemplateChecker } from './templates.js';
import type { LeadField } from './types.js';

export type CheckOptions = SchemaOptions;

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** The lead's fields, from the inline schema or the `lead from` file. */
  fields: LeadField[];
  /** The symbol every name denotes and every checked expression's type (src/check/binder.ts). */
  bindings: Bindings;
}

/** As `check`, but lets an internal error escape: for tests that want to see one. */
export function checkStrict(file: RuleFile, options: CheckOptions = {}): CheckResult {
  return runCheck(file, options, false);
}

export function runCheck(file: RuleFile, givenOptions: CheckOptions, guarded: boolean): CheckResult {
  // The file system is read here, at the checker's entry, so the passes (which
  // the runtime loads through src/models) import no I/O.
  // Files a rule file names are read only inside its folder (or the root given).
  const options: CheckOptions = { ...givenOptions, readFile: givenOptions?.readFile ?? diskReader(rootOf(givenOptions ?? {}, file?.file)) };
  const ctx = new CheckContext(file ?? ({ file: '<input>', buyers: [], flows: [] } as unknown as RuleFile));
  let fields: LeadField[] = [];
  const buyers = Array.isArray(file?.buyers) ? file.buyers.filter((b) => !!b && typeof b === 'object') : [];
  const flows = Array.isArray(file?.flows) ? file.flows.filter((f) => !!f && typeof f === 'object') : [];
  const bindings = ctx.bindings;
  const exprs = new ExprChecker(ctx, bindings);
  const templates = new TemplateChecker(ctx, options ?? {});
  // Each pass is guarded on its own, so a bug in one still leaves the others'
  // findings; the crash itself becomes an error (LR900), so no plan is emitted
  // from a file that was not fully checked.
  const phase = (pass: string, run: () => void, span?: Span) => {
    if (!guarded) return run();
    try {
      run();
    } catch (err) {
      reportCrash(ctx, pass, err, span);
    }
  };
  phase('lead schema', () => {
    fields = resolveLead(ctx, options);
  });
  phase('buyer declarations', () => declareBuyers(ctx, buyers));
  phase('flow declarations', () => declareFlows(ctx, flows));
  // Names are resolved once, here; the passes below read what each denotes.
  phase('bindings', () => bind(file, fields, bindings));
  for (const b of buyers) phase(`buyer ${nameOf(b.name)}`, () => checkBuyer(ctx, exprs, b, templates), b.span);
  for (const f of flows) phase(`flow ${nameOf(f.name)}`, () => checkFlow(ctx, exprs, f), f.span);
  for (const f of flows) phase(`reachability (flow ${nameOf(f.name)})`, () => checkReachability(ctx, f), f.span);
  phase('overflow cycles', () => checkOverflowCycles(ctx, buyers, flows));
  phase('closed cycles', () => checkClosedCycles(ctx, buyers));
  phase('flow cycles', () => checkFlowCycles(ctx, flows));
  const alerts = Array.isArray(file?.alerts) ? file.alerts.filter((a) => !!a && typeof a === 'object') : [];
  phase('alerts', () => checkAlerts(ctx, alerts));
  const start = ctx.fileStart();
  const diagnostics = ctx.diagnostics.map((d) => (isSpan(d.span) && typeof d.span.file === 'string' ? d : { ...d, span: start }));
  return { diagnostics: sortDiagnostics(dedupe(diagnostics)), fields, bindings };
}

/** Longest part of an exception's message an LR900 quotes. */
const MAX_CRASH_MESSAGE_LENGTH = 200;

/** A crashed pass, as an error at the construct it was checking: the
 *  exception's first line only, never its stack. */
function reportCrash(ctx: CheckContext, pass: string, err: unknown, span: Span | undefined): void {
  const raw = err instanceof Error ? err.message : String(err);
  const firstLine = raw.split('\n', 1)[0]!.trim() || 'no message';
  const text = firstLine.length > MAX_CRASH_MESSAGE_LENGTH ? `${firstLine.slice(0, MAX_CRASH_MESSAGE_LENGTH)}…` : firstLine;
  ctx.report('LR900', isSpan(span) ? span : undefined, pass, text);
}

/** A declaration's name for an LR900 message (parse recovery may leave none). */
const nameOf = (id: { name?: unknown } | undefined): string => (typeof id?.name === 'string' ? `\`${id.name}\`` : '(unnamed)');

/** The same code at the same place with the same message once only. */
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}@${d.span.start}:${d.span.end}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
