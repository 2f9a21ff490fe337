import { describe, expect, it } from 'vitest';
import { SCOPED_NAME_LIST, scopedName, scopedNamesIn } from '../../src/core/scoped-names.js';
import { compileExpr } from '../../src/runtime/expr.js';
import { run } from '../check/helpers.js';

const auction = (rank: string, floor = '$1') =>
  `flow f { auction { A } floor ${floor} rank by ${rank} }`;

describe('the scoped-name registry', () => {
  it('is what the checker accepts in `rank by`, and in floors only the floor names', () => {
    for (const name of SCOPED_NAME_LIST) {
      const def = scopedName(name);
      const inRank = run(auction(name)).diagnostics.filter((d) => d.code === 'LR200');
      expect(inRank, name).toEqual([]);
      const inFloor = run(auction('bid.price', `${name} + $1`)).diagnostics.filter((d) => d.code === 'LR200');
      expect(inFloor.length === 0, name).toBe(def.places.includes('floor'));
      const inWhen = run(`flow f { when ${name} > 1 route A }`).diagnostics.map((d) => d.message);
      expect(inWhen, name).toContain(`\`${name}\` is known only in ${name === 'bid.price' ? "an auction's `rank by` and floors" : "an auction's `rank by`"}`);
    }
    expect(scopedNamesIn('floor')).toEqual(['bid.price']);
  });

  it('types each name as the registry says', () => {
    const typeErrors = (src: string) => run(src).diagnostics.filter((d) => d.code === 'LR300').map((d) => d.message);
    for (const name of SCOPED_NAME_LIST) {
      const typeName = scopedName(name).type === 'money' ? 'a money' : 'a number';
      expect(typeErrors(auction(`${name} + "x"`))).toEqual([`\`+\` cannot combine \`${name}\` (${typeName}) with \`"x"\` (a string)`]);
    }
  });

  it('is read by the runtime from the source and key the registry gives', () => {
    const ctx = { lead: {}, random: 1, now: 0, bid: { price: 12 }, vars: { buyer: { acceptance: 0.4, win_rate: 0.2 } } };
    for (const name of SCOPED_NAME_LIST) {
      const def = scopedName(name);
      const expected = def.source === 'bid' ? ctx.bid[def.key as 'price'] : (ctx.vars.buyer as Record<string, number>)[def.key];
      expect(compileExpr({ op: 'field', name })(ctx), name).toBe(expected);
    }
  });
});
