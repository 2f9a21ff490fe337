// Issue 13 §3–4: each defect reproduced, one test each. Every test here failed
// on the code before the fix (see the commit that added it).
import { describe, expect, it } from 'vitest';
import { runCli, scratchDir, writeScratch } from '../cli/helpers.js';
import { routerOf } from '../helpers/lang.js';

const NOW = '2026-11-23T15:00:00Z';

const PRICEY = `lead {
  id: string optional
  loan_amount: money
  credit_score: int
  email: email pii optional
  phone: phone pii optional
}

buyer Pricey {
  price loan_amount * 0.01
}

buyer Scaled {
  price loan_amount * loan_amount
}

buyer Signed {
  price credit_score - 700
}

flow default {
  route Pricey
}

flow scaled {
  route Scaled
}

flow signed {
  route Signed
}
`;

describe('§3 nothing non-finite sells', () => {
  it('rejects a lead whose money field is 1e999 (Infinity), naming the field', () => {
    const lead = JSON.parse('{"id":"a","loan_amount":1e999,"credit_score":700}') as Record<string, unknown>;
    expect(lead.loan_amount).toBe(Infinity);
    const d = routerOf(PRICEY).route(lead, { now: NOW });
    expect(d.status).toBe('rejected');
    expect(d.errors).toEqual([{ field: 'loan_amount', message: 'must be a finite number' }]);
    expect(d.buyers).toEqual([]);
  });

  it('rejects -Infinity and NaN anywhere in the lead, also in undeclared fields and lists', () => {
    const router = routerOf(PRICEY);
    const d1 = router.route({ loan_amount: 1, credit_score: -Infinity }, { now: NOW });
    expect(d1.errors).toEqual([{ field: 'credit_score', message: 'must be a finite number' }]);
    const d2 = router.route({ loan_amount: 1, credit_score: 700, extra: { deep: [1, NaN] } }, { now: NOW });
    expect(d2.status).toBe('rejected');
    expect(d2.errors).toEqual([{ field: 'extra.deep[1]', message: 'must be a finite number' }]);
  });

  it('skips a buyer whose computed price is not finite (1e200 squared), with a reason', () => {
    const d = routerOf(PRICEY).route({ loan_amount: 1e200, credit_score: 600 }, { now: NOW, flow: 'scaled', trace: true });
    expect(d.status).toBe('unrouted');
    expect(d.reason).toBe('no buyer could take the lead (Scaled: price Infinity is not a finite amount)');
    expect(d.trace.some((t) => t.code === 'PriceInvalid' && t.buyer === 'Scaled')).toBe(true);
  });

  it('skips a buyer whose computed price is negative, with a reason', () => {
    const d = routerOf(PRICEY).route({ loan_amount: 1, credit_score: 650 }, { now: NOW, flow: 'signed', trace: true });
    expect(d.status).toBe('unrouted');
    expect(d.reason).toBe('no buyer could take the lead (Signed: price -50 is negative)');
    expect(d.trace.find((t) => t.code === 'PriceInvalid')?.message).toBe('Signed skipped: its price -50 is negative');
  });

  it('`leadroute route` no longer sells an Infinity lead at $0.00', async () => {
    const dir = scratchDir();
    const rules = writeScratch(dir, 'pricey.route', PRICEY);
    const leads = writeScratch(dir, 'leads.jsonl', '{"id":"a","loan_amount":1e999,"credit_score":700}\n');
    const r = await runCli(['route', rules, '--leads', leads, '--at', NOW]);
    expect(r.out).not.toContain('$0.00 exclusive');
    expect(r.out).toContain('a        random');
    expect(r.out).toContain('rejected: loan_amount: must be a finite number');
  });
});

describe('§4 no lead kills a batch', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

  it('rejects a lead with no id and 10,000 nested arrays instead of overflowing the stack', () => {
    const lead = JSON.parse(`{"loan_amount":1,"credit_score":700,"x":${deep(10_000)}}`) as unknown;
    const d = routerOf(PRICEY).route(lead, { now: NOW });
    expect(d.status).toBe('rejected');
    expect(d.errors).toEqual([{ field: `x${'[0]'.repeat(31)}`, message: 'is nested deeper than 32 levels' }]);
    expect(d.leadId).toMatch(/^lead-[0-9a-f]{16}$/);
  });

  it('`route --leads` routes every lead after a 10,000-deep one and exits 0', async () => {
    const dir = scratchDir();
    const rules = writeScratch(dir, 'pricey.route', PRICEY);
    const text = `{"loan_amount":1,"credit_score":700,"x":${deep(10_000)}}\n{"id":"after","loan_amount":100,"credit_score":700}\n`;
    const leads = writeScratch(dir, 'leads.jsonl', text);
    const r = await runCli(['route', rules, '--leads', leads, '--at', NOW]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('rejected: x[0]');
    expect(r.out).toContain('after    random');
    expect(r.out).toContain('Pricey $1.00 exclusive');
  });

  it('reads the first lead of a JSONL file that starts with a byte-order mark', async () => {
    const dir = scratchDir();
    const rules = writeScratch(dir, 'pricey.route', PRICEY);
    const leads = writeScratch(dir, 'leads.jsonl', '\uFEFF{"id":"first","loan_amount":100,"credit_score":700}\n{"id":"second","loan_amount":100,"credit_score":700}\n');
    const r = await runCli(['route', rules, '--leads', leads, '--at', NOW, '--json']);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { lead: string; status: string });
    expect(lines.map((l) => [l.lead, l.status])).toEqual([
      ['first', 'routed'],
      ['second', 'routed'],
    ]);
  });

  it('rejects a 1 MB e-mail address, naming the field and the limit', () => {
    const email = `${'a'.repeat(1_000_000)}@example.com`;
    const d = routerOf(PRICEY).route({ loan_amount: 1, credit_score: 700, email }, { now: NOW });
    expect(d.status).toBe('rejected');
    expect(d.errors).toEqual([{ field: 'email', message: 'is longer than 254 characters' }]);
  });

  it('trims an e-mail and a phone number before validating them, as dedupe promises', () => {
    const d = routerOf(PRICEY).route(
      { loan_amount: 100, credit_score: 700, email: '  pat@example.com \n', phone: ' 480-555-0164 ' },
      { now: NOW },
    );
    expect(d.errors).toEqual([]);
    expect(d.status).toBe('routed');
  });
});

describe('fields named like members of Object.prototype', () => {
  const rules = (name: string) => `lead {
  ${name}: string optional
  n: int
}

buyer A {
  accepts exists(${name})
  price $1
}

buyer B {
  price $2
}

flow f {
  route A
  route B
}
`;
  for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
    it(`a lead without the optional field \`${name}\` is valid and does not carry Object.prototype's`, () => {
      const router = routerOf(rules(name));
      const without = router.route({ n: 1 }, { now: NOW });
      expect(without.errors).toEqual([]);
      expect(without.buyers.map((b) => b.name)).toEqual(['B']);
      const withIt = router.route({ n: 1, [name]: 'x' }, { now: NOW });
      expect(withIt.buyers.map((b) => b.name)).toEqual(['A']);
      expect(router.route({ n: 1, [name]: 7 }, { now: NOW }).errors).toEqual([{ field: name, message: 'must be string' }]);
    });
  }
});
