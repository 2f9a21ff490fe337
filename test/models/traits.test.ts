// Each routing model's declared traits, read from parsed rule text: what
// reachability, cycle detection and the simulator rely on.

import { describe, expect, it } from 'vitest';
import { parse, type Action } from '../../src/lang/index.js';
import { buyerFacts } from '../../src/models/buyer-facts.js';
import { MODELS, modelOf } from '../../src/models/index.js';

const DECLS = `lead { id: string  state: state  n: int 0..100 }
buyer Open { price $10 }
buyer Open2 { price $10 }
buyer Picky { accepts state == CA }
buyer Capped { cap 5/h }
flow other { route Open }
`;

/** The action of the only rule of `flow f { … }`, and the file's buyer facts. */
function action(rule: string): { a: Action; fallsThrough: boolean } {
  const { ast, diagnostics } = parse(`${DECLS}flow f { ${rule} }`, 't.route');
  expect(diagnostics).toEqual([]);
  const a = ast.flows.find((f) => f.name.name === 'f')!.rules[0]!.action;
  const facts = buyerFacts(new Map(ast.buyers.map((b) => [b.name.name, b])));
  return { a, fallsThrough: modelOf(a.kind)!.traits.fallsThrough(a, facts) };
}

describe('fallsThrough', () => {
  const cases: [string, boolean][] = [
    ['route Open', false],
    ['route Picky', true],
    ['route Capped overflow Open', true],
    ['route Open cap 5/h', true],
    ['split { Open 50%, Picky 50% }', false],
    ['split { Capped 50%, Picky 50% }', true],
    ['waterfall { Picky; Open }', false],
    ['waterfall { Picky; Open when n > 5 }', true],
    ['share max 2 { Picky, Capped }', true],
    ['share max 2 { Picky, Open }', false],
    ['rank { Open, Open2 } by price', false],
    ['rank { Open, Open2 } by price min 0.5', true],
    ['specialize { Picky premium 10% } else Open', false],
    ['specialize { Picky premium 10% } else flow other', true],
    ['specialize { Open when n > 5 premium 10% }', true],
    ['hybrid Picky then share max 1 { Open } after 5m', false],
    ['flow other', true],
    ['fallback other -> other', true],
    ['reject "no"', false],
  ];
  for (const [rule, expected] of cases)
    it(`${rule}: ${expected ? 'may fall through' : 'always places or stops'}`, () => {
      expect(action(rule).fallsThrough).toBe(expected);
    });
});

describe('references', () => {
  it('flows handed leads to, by how', () => {
    const flows = (rule: string) => {
      const { a } = action(rule);
      return modelOf(a.kind)!.traits.flows(a).map((r) => `${r.via}:${r.ident.name}`);
    };
    expect(flows('flow other')).toEqual(['flow:other']);
    expect(flows('fallback other -> other')).toEqual(['fallback:other', 'fallback:other']);
    expect(flows('specialize { Picky premium 10% } else flow other')).toEqual(['specialize:other']);
    expect(flows('route Open')).toEqual([]);
  });
  it('rule-level overflow pairs and buyers', () => {
    const { a } = action('route Capped overflow Open');
    const t = modelOf(a.kind)!.traits;
    expect(t.overflows(a).map((o) => `${o.from.name}>${o.to.name}`)).toEqual(['Capped>Open']);
    const w = action('waterfall { Picky; Open when n > 5 }').a;
    expect(MODELS.waterfall.traits.buyers(w as Extract<Action, { kind: 'waterfall' }>).map((b) => b?.name)).toEqual(['Picky', 'Open']);
  });
});

describe('target shares', () => {
  it('a route states its buyer, a split its weights, a performance split nothing', () => {
    const got = new Map<string, number>();
    const add = (b: string, p: number) => got.set(b, (got.get(b) ?? 0) + p);
    MODELS.route.traits.targets({ kind: 'route', buyer: 'A', caps: [], overflow: null }, { points: 40, states: true, add });
    MODELS.route.traits.targets({ kind: 'route', buyer: 'B', caps: [], overflow: null }, { points: 40, states: false, add });
    const entries = [
      { buyer: 'A', weight: 75 },
      { buyer: 'C', weight: 25 },
    ];
    MODELS.split.traits.targets({ kind: 'split', entries, mode: 'random', performance: null }, { points: 60, states: false, add });
    MODELS.split.traits.targets(
      { kind: 'split', entries, mode: 'performance', performance: { metric: 'conversion', windowMs: 1, min: 10, max: 90 } },
      { points: 60, states: true, add },
    );
    expect(Object.fromEntries(got)).toEqual({ A: 85, C: 15 });
  });
});
