// The corpus: small rule files, one behaviour each, with the expected outcome
// written inline (the Crafting Interpreters habit).
//
//   # expect: LR200@6:11          a diagnostic, by code and position (all must match, no others)
//   # lead 2026-11-23T15:00:00Z {"id":"a","score":70} -> A $10        routed to A at $10
//   # lead … -> A $10, B $8 shared | -> unrouted | -> rejected score | -> held
//
// Leads are routed in file order through one router, so caps carry over.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, MemoryStore, Router, type Decision } from '../../src/index.js';

const ROOT = new URL('.', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.route') ? [join(dir, e.name)] : [],
  );

function outcome(d: Decision): string {
  switch (d.status) {
    case 'routed': {
      const sold = d.buyers.map((b) => `${b.name} $${b.price}`).join(', ');
      return d.exclusive ? sold : `${sold} shared`;
    }
    case 'rejected':
      return `rejected ${d.errors.map((e) => e.field).join(', ')}`;
    default:
      return d.status;
  }
}

for (const path of files(ROOT)) {
  const name = relative(ROOT, path);
  const source = readFileSync(path, 'utf8');
  const expects = [...source.matchAll(/^# expect: (\S+)$/gm)].map((m) => m[1]!);
  const leads = [...source.matchAll(/^# lead (\S+) (\{.*\}) -> (.+)$/gm)].map((m) => ({ at: m[1]!, lead: m[2]!, want: m[3]!.trim() }));

  describe(`corpus ${name}`, () => {
    const { plan, diagnostics } = compile(source, { file: name });

    it('reports exactly the expected diagnostics', () => {
      expect(diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`)).toEqual(expects);
    });

    if (leads.length > 0) {
      it('routes each lead as expected', () => {
        expect(plan, 'the file must compile to route leads').not.toBeNull();
        const router = new Router(plan!, { store: new MemoryStore(), seed: 1, trace: true });
        for (const { at, lead, want } of leads) {
          const d = router.route(JSON.parse(lead), { now: at });
          expect(outcome(d), `${lead}\n${d.trace.map((t) => t.message).join('\n')}`).toBe(want);
        }
      });
    }
  });
}
