// The corpus: small rule files, one behaviour each, with the expected outcome
// written inline (the Crafting Interpreters habit). Each file says what it
// shows in a comment at its top. Directives, one per line:
//
//   # expect: LR200@6:11      a diagnostic, by code and position (all must match, in
//                             position order, and no others; warnings included)
//   # seed 7                  the router's seed (default 1)
//   # lead AT {json} -> OUTCOME
//                             route the lead at time AT (ISO 8601); OUTCOME is one of
//       A $10                 sold exclusively to A at $10
//       A $10, B $8 shared    a shared sale, buyers in the order they were sold to
//       B $18 after 10m       a sale delivered later (hybrid secondaries): deliverAt − AT
//       A $10 with f=v, g=v   the lead was placed after a fallback step rewrote f and g
//                             (values as JSON: tier="C", lead_score=60)
//       unrouted              no buyer; `unrouted "why"` also checks the decision's reason
//       rejected f, g         the lead failed validation on fields f and g
//       held A $10 until ISO  held for closed buyer A, who opens at ISO
//       auction {A, B} floor $50 then {C}
//                             an auction rule matched: the tiers' buyers that can take the
//                             lead (`{}` for a tier with none), each tier's floor on this lead;
//                             a fixed-price buyer with its bid: `{A, F at $30}`
//   # outcome AT BUYER KIND [xN]
//                             record N (default 1) outcomes of KIND (accepted, rejected,
//                             returned, converted) for BUYER at AT (feeds performance
//                             splits and rank's performance and expected_value)
//   # restart                 a new router on the same plan and the same store (what a
//                             process restart keeps: caps, fair-split counts, outcomes)
//   # spread N AT {json} -> A 60%, B 30%, unrouted 10% [±P]
//                             route N leads, `{i}` in the JSON replaced by 0..N-1, and
//                             check each outcome's share (first buyer sold to, or the
//                             status) is within P points (default 2) of the stated one
//
// Leads, outcomes and spreads run in file order through one router (until a
// `# restart`) and one store, so caps, fair-split counts and outcomes carry over.
//
// Files the rule files refer to (templates, JSON schemas) live beside them and
// resolve relative to the rule file, as in `leadroute check`.

import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, MemoryStore, Router, type Decision } from '../../src/index.js';
import { fixedPriceOf } from '../../src/runtime/index.js';
import { CORPUS_ROOT, corpusFiles, expectedDiagnostics } from './files.js';

function duration(ms: number): string {
  for (const [size, unit] of [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function outcome(d: Decision): { short: string; full: string } {
  switch (d.status) {
    case 'routed': {
      const sold = d.buyers
        .map((b) => `${b.name} $${b.price}${b.deliverAt === undefined ? '' : ` after ${duration(Date.parse(b.deliverAt) - Date.parse(d.at))}`}`)
        .join(', ');
      const rewrites = Object.entries(d.rewrites).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      const s = `${d.exclusive ? sold : `${sold} shared`}${rewrites.length > 0 ? ` with ${rewrites.join(', ')}` : ''}`;
      return { short: s, full: s };
    }
    case 'rejected': {
      const s = `rejected ${d.errors.map((e) => e.field).join(', ')}`;
      return { short: s, full: s };
    }
    case 'held': {
      const b = d.buyers[0]!;
      const s = `held ${b.name} $${b.price} until ${d.holdUntil}`;
      return { short: s, full: s };
    }
    case 'auction': {
      const bidder = (name: string) => {
        const fixed = fixedPriceOf(d.auction!, name);
        return fixed === undefined ? name : `${name} at $${fixed}`;
      };
      const tiers = d.auction!.tiers.map((t) => `{${t.buyers.map(bidder).join(', ')}}${t.floor === null ? '' : ` floor $${t.floor}`}`);
      const s = `auction ${tiers.join(' then ')}`;
      return { short: s, full: s };
    }
    case 'unrouted':
      return { short: 'unrouted', full: `unrouted ${JSON.stringify(d.reason)}` };
    default: {
      const never: never = d.status;
      throw new Error(`unknown decision status ${String(never)}`);
    }
  }
}

type Step =
  | { kind: 'lead'; line: string; at: string; lead: string; want: string }
  | { kind: 'outcome'; line: string; at: string; buyer: string; what: 'accepted' | 'rejected' | 'returned' | 'converted'; times: number }
  | { kind: 'spread'; line: string; n: number; at: string; lead: string; want: Map<string, number>; tolerance: number }
  | { kind: 'restart'; line: string };

function parseSteps(source: string): Step[] {
  const steps: Step[] = [];
  for (const line of source.split('\n')) {
    let m = /^# lead (\S+) (\{.*\}) -> (.+)$/.exec(line);
    if (m) {
      steps.push({ kind: 'lead', line, at: m[1]!, lead: m[2]!, want: m[3]!.trim() });
      continue;
    }
    m = /^# outcome (\S+) (\w+) (accepted|rejected|returned|converted)(?: x(\d+))?\s*$/.exec(line);
    if (m) {
      steps.push({ kind: 'outcome', line, at: m[1]!, buyer: m[2]!, what: m[3] as 'accepted', times: Number(m[4] ?? 1) });
      continue;
    }
    if (/^# restart\s*$/.test(line)) {
      steps.push({ kind: 'restart', line });
      continue;
    }
    m = /^# spread (\d+) (\S+) (\{.*\}) -> (.+?)(?: ±(\d+(?:\.\d+)?))?\s*$/.exec(line);
    if (m) {
      const want = new Map<string, number>();
      for (const part of m[4]!.split(',')) {
        const p = /^\s*(\w+) (\d+(?:\.\d+)?)%\s*$/.exec(part);
        if (!p) throw new Error(`bad spread share '${part}' in: ${line}`);
        want.set(p[1]!, Number(p[2]));
      }
      steps.push({ kind: 'spread', line, n: Number(m[1]), at: m[2]!, lead: m[3]!, want, tolerance: Number(m[5] ?? 2) });
      continue;
    }
    // A line that starts like a directive but does not parse is a typo, not a comment.
    if (/^# (lead|outcome) \d{4}-|^# spread \d|^# seed /.test(line) && !/^# seed \d+\s*$/.test(line)) {
      throw new Error(`malformed corpus directive: ${line}`);
    }
  }
  return steps;
}

/** The name a spread counts a decision under: its first buyer, or its status. */
function spreadKey(d: Decision): string {
  return d.status === 'routed' ? d.buyers[0]!.name : d.status;
}

function runSteps(start: () => Router, steps: Step[]): void {
  let router = start();
  for (const step of steps) {
    switch (step.kind) {
      case 'lead': {
        const d = router.route(JSON.parse(step.lead), { now: step.at });
        const got = outcome(d);
        const shown = step.want.startsWith('unrouted ') ? got.full : got.short;
        expect(shown, `${step.line}\n${d.trace.map((t) => t.message).join('\n')}`).toBe(step.want);
        break;
      }
      case 'restart':
        router = start();
        break;
      case 'outcome':
        for (let i = 0; i < step.times; i++) router.recordOutcome(`outcome-${i}`, step.buyer, step.what, { at: step.at });
        break;
      case 'spread': {
        const counts = new Map<string, number>();
        for (let i = 0; i < step.n; i++) {
          const d = router.route(JSON.parse(step.lead.replaceAll('{i}', String(i))), { now: step.at, trace: false });
          counts.set(spreadKey(d), (counts.get(spreadKey(d)) ?? 0) + 1);
        }
        const shares = [...counts].map(([k, c]) => `${k} ${((c / step.n) * 100).toFixed(1)}%`).join(', ');
        for (const k of counts.keys()) expect(step.want.has(k), `${step.line}\nunexpected '${k}' in: ${shares}`).toBe(true);
        for (const [k, pct] of step.want) {
          const got = ((counts.get(k) ?? 0) / step.n) * 100;
          expect(Math.abs(got - pct), `${step.line}\n${k}: got ${shares}`).toBeLessThanOrEqual(step.tolerance);
        }
        break;
      }
      default: {
        const never: never = step;
        throw new Error(`unknown corpus step ${JSON.stringify(never)}`);
      }
    }
  }
}

for (const path of corpusFiles()) {
  const name = relative(CORPUS_ROOT, path);
  const source = readFileSync(path, 'utf8');
  const expects = expectedDiagnostics(source);
  const seed = Number(/^# seed (\d+)\s*$/m.exec(source)?.[1] ?? 1);
  const steps = parseSteps(source);

  describe(`corpus ${name}`, () => {
    const { plan, diagnostics } = compile(source, { file: name, baseDir: dirname(path) });

    it('reports exactly the expected diagnostics', () => {
      expect(diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`)).toEqual(expects);
    });

    if (steps.length > 0) {
      it('routes each lead as expected', () => {
        expect(plan, 'the file must compile to route leads').not.toBeNull();
        const store = new MemoryStore();
        runSteps(() => new Router(plan!, { store, seed, trace: true }), steps);
      });
    }
  });
}
