// The payload a buyer receives sees a fallback chain's rewritten values, as the
// decision and the README say (issue 13 §7). A real buyer on 127.0.0.1.

import { afterEach, describe, expect, it } from 'vitest';
import { Seller } from '../../src/auction/index.js';
import { MemoryJournal } from '../../src/adapters/index.js';
import { Router } from '../../src/runtime/index.js';
import { accept, Servers } from '../auction/helpers.js';
import { planOf } from '../helpers/lang.js';

const servers = new Servers();
const sellers: Seller[] = [];
afterEach(async () => {
  await Promise.all(sellers.splice(0).map((s) => s.close()));
  await servers.closeAll();
});

const TEMPLATES: Record<string, string> = { '/rules/post.json.hbs': '{"id":"{{lead.id}}","tier":"{{lead.tier}}","score":{{lead.score}} }' };

const rules = (url: string) => `lead { id: string
  score: int 0..100
  tier: string }
buyer Prime { accepts score >= 80
  price $40 }
buyer Sub { accepts tier == "C"
  price $8
  post "${url}/leads" json "post.json.hbs" }
flow main { fallback premium -> subprime with tier = "C", score = score - 10 }
flow premium { route Prime }
flow subprime { route Sub }
`;

describe('fallback rewrites reach the buyer', () => {
  it('the posted body carries the rewritten tier and score, not the original ones', async () => {
    const buyer = await servers.start(() => accept);
    const plan = planOf(rules(buyer.url), { file: '/rules/r.route', readFile: (p) => TEMPLATES[p] });
    const seller = new Seller(new Router(plan), { journal: new MemoryJournal() });
    sellers.push(seller);
    const sale = await seller.sell({ id: 'L1', score: 65, tier: 'A' });
    expect(sale.decision.buyers).toEqual([{ name: 'Sub', price: 8 }]);
    expect(sale.decision.rewrites).toEqual({ tier: 'C', score: 55 });
    expect(sale.deliveries.map((d) => d.status)).toEqual(['accepted']);
    expect(buyer.received).toHaveLength(1);
    expect(JSON.parse(buyer.received[0]!.body)).toEqual({ id: 'L1', tier: 'C', score: 55 });
  });
});
