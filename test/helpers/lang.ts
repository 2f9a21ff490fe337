// Tests written in the language: a plan or a router from rule text in one line.
// A typo in a test's rule text fails the test loudly, with file:line:col.
import { compile, type CompileOptions } from '../../src/compile/index.js';
import { formatDiagnostics, hasErrors } from '../../src/lang/index.js';
import type { Plan } from '../../src/models/plan.js';
import { Router, type RouterOptions } from '../../src/runtime/index.js';

/** The lead schema the runtime tests share; `lead()` in test/runtime/helpers.ts makes a valid one. */
export const TEST_LEAD = `lead {
  id: string optional
  state: state
  credit_score: int 300..850
  lead_score: int 0..100 optional
  email: email pii optional
  zip: zip optional
  created: time optional
  tags: list string optional
  phone: phone pii optional
  source: string optional
  product: string optional
  trustedform_url: string optional
  consented_at: time optional
}`;

const declaresLead = (source: string): boolean => /^\s*lead\b/m.test(source);

/**
 * Compiles rule text to a plan; throws with the formatted diagnostics on any error.
 * Without a `lead` declaration the text gets TEST_LEAD, appended after it so
 * the lines a diagnostic or a trace cites are the text's own.
 */
export function planOf(source: string, options: CompileOptions = {}): Plan {
  const file = options.file ?? 'test.route';
  const text = declaresLead(source) ? source : `${source}\n${TEST_LEAD}\n`;
  const { plan, diagnostics } = compile(text, { ...options, file });
  if (plan === null || hasErrors(diagnostics)) {
    throw new Error(`rule text does not compile:\n${formatDiagnostics(diagnostics, { [file]: text })}`);
  }
  return plan;
}

/** A router over the plan of some rule text (see planOf). */
export function routerOf(source: string, options: RouterOptions = {}, compileOptions: CompileOptions = {}): Router {
  return new Router(planOf(source, compileOptions), options);
}
