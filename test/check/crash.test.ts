// A crashed checker pass is an error (LR900), not a silently shorter list of
// diagnostics: the other passes still report, and compile() emits no plan.
// Two passes are made to crash by mocking what they call: the buyer pass
// through its calendar lookup, the flow-cycle pass directly.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { check } from '../../src/check/index.js';
import { checkStrict } from '../../src/check/checker.js';
import { compile } from '../../src/compile/index.js';
import { parse } from '../../src/lang/index.js';

const crash = vi.hoisted(() => ({ flowCycles: false }));

vi.mock('../../src/check/holidays.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/check/holidays.js')>();
  return {
    ...real,
    checkCalendar: (code: string) => {
      if (code === 'XX-CRASH') throw new TypeError("Cannot read properties of undefined (reading 'regions')\n    at checkCalendar (holidays.ts:40:7)");
      return real.checkCalendar(code);
    },
  };
});

vi.mock('../../src/check/cycles.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/check/cycles.js')>();
  return {
    ...real,
    checkFlowCycles: (...args: Parameters<typeof real.checkFlowCycles>) => {
      if (crash.flowCycles) throw new Error('boom');
      return real.checkFlowCycles(...args);
    },
  };
});

afterEach(() => {
  crash.flowCycles = false;
});

const SOURCE = [
  'lead { id: string  credit_score: int 300..850 }',
  'buyer A {',
  '  price $10',
  '  holidays "XX-CRASH"',
  '}',
  'buyer B { accepts credit_scor > 600 }',
  'flow f { route A }',
].join('\n');

const at = (d: { code: string; span: { line: number; col: number } }) => `${d.code}@${d.span.line}:${d.span.col}`;

describe('a crashed checker pass (LR900)', () => {
  it('is an error at the construct being checked, and the other passes still report', () => {
    const { diagnostics } = check(parse(SOURCE, 't.route').ast);
    expect(diagnostics.map(at)).toEqual(['LR900@2:1', 'LR200@6:19']);
    const d = diagnostics[0]!;
    expect(d.severity).toBe('error');
    expect(d.message).toBe("internal error in the checker's buyer `A` pass: Cannot read properties of undefined (reading 'regions')");
    expect(d.suggestion).toMatch(/bug in leadroute.*report it/);
  });

  it('quotes no stack trace', () => {
    const { diagnostics } = check(parse(SOURCE, 't.route').ast);
    expect(diagnostics[0]!.code).toBe('LR900');
    expect(diagnostics[0]!.message).not.toMatch(/\n|\bat checkCalendar\b/);
  });

  it('stops compile() from emitting a plan', () => {
    const r = compile(SOURCE, { file: 't.route' });
    expect(r.diagnostics.map((d) => d.code)).toContain('LR900');
    expect(r.plan).toBeNull();
  });

  it('a whole-file pass crashing is reported at the start of the file', () => {
    crash.flowCycles = true;
    const r = compile('lead { id: string }\nbuyer A { price $1 }\nflow f { route A }', { file: 't.route' });
    expect(r.diagnostics.map((d) => `${at(d)} ${d.message}`)).toEqual(["LR900@1:1 internal error in the checker's flow cycles pass: boom"]);
    expect(r.plan).toBeNull();
  });

  it('checkStrict lets the exception escape, for tests that want to see it', () => {
    expect(() => checkStrict(parse(SOURCE, 't.route').ast)).toThrow(TypeError);
  });
});
