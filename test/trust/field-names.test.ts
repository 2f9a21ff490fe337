// A lead field may not be named `__proto__` (LR210): the compiled plan's lead
// schema would otherwise set its own prototype, and loadPlan refuse the plan
// the checker accepted. `constructor` and friends stay ordinary names.

import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/index.js';
import { Router } from '../../src/runtime/index.js';

const rules = (lead: string) => `${lead}\nbuyer B { price $1 }\nflow f { route B }\n`;
const found = (r: ReturnType<typeof compile>) => r.diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`);

describe('field names an object gives a meaning of its own', () => {
  it('an inline `__proto__` field is LR210 at its name, and no plan is emitted', () => {
    const r = compile(rules('lead { id: string\n  __proto__: int optional }'));
    expect(found(r)).toEqual(['LR210@2:3']);
    expect(r.diagnostics[0]!.message).toBe('`__proto__` is a reserved name and cannot be a lead field: it is how JavaScript objects reach their prototype');
    expect(r.plan).toBeNull();
  });

  it('so is a `__proto__` property of a JSON lead schema', () => {
    const schema = '{"properties":{"id":{"type":"string"},"__proto__":{"type":"integer"}}}';
    const r = compile(rules('lead from "lead.json"'), { file: '/r/x.route', readFile: (p) => (p === '/r/lead.json' ? schema : undefined) });
    expect(found(r)).toEqual(['LR210@1:11']);
  });

  it('`constructor` and `toString` are ordinary field names: the plan loads and routes', () => {
    const r = compile(rules('lead { id: string\n  constructor: string optional\n  toString: int optional }'));
    expect(found(r)).toEqual([]);
    const router = new Router(r.plan!);
    expect(router.route({ id: 'a' }).status).toBe('routed');
    expect(router.route({ id: 'b', constructor: 'x', toString: 3 }).status).toBe('routed');
  });
});
