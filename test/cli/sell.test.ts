// `leadroute sell`: leads sold through a rule file over real HTTP on
// 127.0.0.1, against mock buyers started by the command (--buyers) or by the
// test (so it can count what they saw).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/index.js';
import { SqliteStore } from '../../src/adapters/index.js';
import { startMockBuyers, type MockBuyers, type MockBuyersConfig } from '../../src/mock/index.js';
import { ROOT, fakeTerminal, runCli, scratchDir, writeScratch } from './helpers.js';

const running: MockBuyers[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.close()));
});

async function mocks(config: MockBuyersConfig): Promise<MockBuyers> {
  const m = await startMockBuyers(config);
  running.push(m);
  return m;
}

const LEAD_FIELDS = `lead {
  id: string
  state: state
  lead_score: int 0..100
  email: email pii
}`;

/** Two buyers sold directly (no auction): Alpha first (capped), then Beta. */
function directRules(alpha: string, beta: string, cap = ''): string {
  return `${LEAD_FIELDS}

buyer Alpha {
  price $25
  ${cap}
  post "${alpha}/post" accepted "result" == "success"
  pixel "${alpha}/pixel?lead={{lead.id}}" on sold
}

buyer Beta {
  price $10
  post "${beta}/post" accepted "result" == "success"
}

flow main {
  waterfall { Alpha; Beta }
}
`;
}

/** One buyer pinged, then posted to when it bids. */
function auctionRules(url: string): string {
  return `${LEAD_FIELDS}

buyer Pinger {
  ping "${url}/ping" timeout 500ms fields state, lead_score
  bid price "bid.amount", id "ping_id", accepted "status" == "accepted"
  post "${url}/post" accepted "result" == "success"
}

flow main {
  auction { Pinger } floor $1 timeout 750ms
}
`;
}

const lead = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: `T${String(i).padStart(3, '0')}`, state: 'CA', lead_score: 50 + (i % 40), email: `t${i}@example.com`, ...extra });

function leadsFile(dir: string, lines: string[]): string {
  return writeScratch(dir, 'leads.jsonl', `${lines.join('\n')}\n`);
}

const AT = ['--at', '2026-11-23T15:00:00Z'];

describe('leadroute sell', () => {
  it('sells sample leads by auction to mock buyers it starts from a config (--buyers), a line a lead and a summary', async () => {
    const dir = scratchDir();
    // The sample buyers without their injected faults: every delivery gets an answer.
    const config = JSON.parse(readFileSync(join(ROOT, 'examples/mock-buyers.json'), 'utf8')) as MockBuyersConfig;
    for (const b of config.buyers) {
      delete b.faults;
      if (b.post) delete b.post.faults;
    }
    writeScratch(dir, 'buyers.json', JSON.stringify(config));
    const r = await runCli(['sell', 'rules/solar-pingpost.route', '--leads', 'examples/leads.jsonl', '--buyers', join(dir, 'buyers.json'), '--ephemeral', '--limit', '15', ...AT]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const leadLines = r.out.split('\n').filter((l) => /^L\d{5} /.test(l));
    expect(leadLines.map((l) => l.slice(0, 6))).toEqual(Array.from({ length: 15 }, (_, i) => `L${String(i + 1).padStart(5, '0')}`.slice(0, 6)));
    for (const l of leadLines) expect(l).toMatch(/^L\d{5} +(→ [A-Za-z]+ \$\d+\.\d\d.*(exclusive|shared)|unsold: .+|refused: .+)/);
    // The banner says what each buyer does, defaults included.
    expect(r.out).toMatch(/SunPeak +http:\/\/127\.0\.0\.1:\d+ .*pings: bid uniform \$35\.\.\$75 × \(credit_score\/700\).*exclusive 20% at ×1\.3/);
    expect(r.out).toMatch(/15 leads: \d+ sold \(\d+ exclusive, \d+ shared\), \d+ unsold, 0 rejected; revenue \$[\d,]+\.\d\d; 0 deliveries failed/);
    expect(r.out).toContain('what the mock buyers saw');
  });

  it('--dry-run prints every request it would send, sends none, and says that no bid arrives', async () => {
    const m = await mocks({ buyers: [{ name: 'A', bid: { price: 30 } }, { name: 'B' }] });
    const [a, b] = m.buyers;
    const dir = scratchDir();
    writeScratch(dir, 'direct.route', directRules(a!.url, b!.url));
    writeScratch(dir, 'auction.route', auctionRules(a!.url));
    leadsFile(dir, [lead(1), lead(2)]);

    const direct = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--dry-run', ...AT], dir);
    expect(direct.code).toBe(0);
    expect(direct.out).toMatch(/T001 +dry run: routed to Alpha \$25\.00 exclusive; the requests below would be sent/);
    expect(direct.out).toContain(`Alpha post: POST ${a!.url}/post`);
    expect(direct.out).toContain(`Alpha pixel: GET ${a!.url}/pixel?lead=T001`);
    expect(direct.out).toContain('content-type: application/json');
    expect(direct.out).toContain('t1@example.com'); // the post's body
    expect(direct.out).toMatch(/2 leads, 0 rejected; dry run: 4 requests printed, none sent/);

    const auction = await runCli(['sell', 'auction.route', '--leads', 'leads.jsonl', '--dry-run', ...AT], dir);
    expect(auction.code).toBe(0);
    expect(auction.out).toContain('in a dry run no bid arrives, so nothing after the pings is sent');
    expect(auction.out).toContain(`Pinger ping: POST ${a!.url}/ping`);
    expect(auction.out).not.toContain('/post');
    expect(auction.out).not.toContain('t1@example.com'); // a ping never carries PII
    expect(auction.out).toContain('"lead_score":51');

    const json = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--dry-run', '--json', ...AT], dir);
    const objects = json.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects[0]).toMatchObject({ type: 'lead', lead: 'T001', requests: [{ method: 'GET' }, { method: 'POST', url: `${a!.url}/post` }] });
    expect(objects.at(-1)).toMatchObject({ type: 'summary', dryRun: true, requests: 4 });

    expect(m.stats().requests).toBe(0);
    expect((await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--dry-run', '--store', 's.sqlite'], dir)).code).toBe(2);
  });

  it('--dry-run writes no batch file and no delayed post goes out: both are printed at the end', async () => {
    const m = await mocks({ buyers: [{ name: 'A' }] });
    const dir = scratchDir();
    writeScratch(
      dir,
      'later.route',
      `${LEAD_FIELDS}

buyer Filer {
  accepts lead_score >= 60
  price $5
  batch 100 or 1h csv to "file:out/leads.csv"
}

buyer Later {
  price $8
  delay 5m
  post "${m.buyers[0]!.url}/post" accepted "result" == "success"
}

flow main {
  waterfall { Filer; Later }
}
`,
    );
    leadsFile(dir, [lead(1), lead(25)]); // lead_score 51 (to Later), then 75 (to Filer)
    const r = await runCli(['sell', 'later.route', '--leads', 'leads.jsonl', '--dry-run', ...AT], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('sent later (delayed and batched deliveries, at the end of a run):');
    expect(r.out).toContain(`Later post: POST ${m.buyers[0]!.url}/post`);
    expect(r.out).toMatch(/Filer batch: would write to file:out\/leads\.csv\n +id,state,lead_score,email,sale_buyer,sale_price/);
    expect(r.out).toContain('T025,CA,75,t25@example.com,Filer,5');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(m.stats().requests).toBe(0);
  });

  it('--json: one object a lead, then a summary object', async () => {
    const m = await mocks({ buyers: [{ name: 'A' }, { name: 'B', post: { rejectRate: 1, reasons: ['cap_reached'] } }] });
    const dir = scratchDir();
    writeScratch(dir, 'direct.route', directRules(m.buyers[0]!.url, m.buyers[1]!.url));
    leadsFile(dir, [lead(1), lead(2)]);
    const r = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--json', ...AT], dir);
    expect(r.code).toBe(0);
    const objects = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects).toHaveLength(3);
    expect(objects[0]).toEqual({
      type: 'lead',
      line: 1,
      lead: 'T001',
      flow: 'main',
      outcome: 'sold',
      buyers: [{ name: 'Alpha', price: 25 }],
      exclusive: true,
      revenue: 25,
      reason: null,
      deliveries: [{ buyer: 'Alpha', status: 'accepted', endpoint: 'primary', price: 25, attempts: 1, detail: null }],
      auction: null,
    });
    expect(objects[2]).toEqual({
      type: 'summary',
      leads: 2,
      sold: 2,
      exclusive: 2,
      shared: 0,
      unsold: 0,
      refused: 0,
      rejected: 0,
      unreadable: 0,
      errors: 0,
      failedDeliveries: 0,
      revenue: 50,
      dryRun: false,
    });
  });

  it('rejects a bad lead naming the field, reports a line that is not JSON, and goes on; exit 1 for the unreadable line', async () => {
    const m = await mocks({ buyers: [{ name: 'A' }, { name: 'B' }] });
    const dir = scratchDir();
    writeScratch(dir, 'direct.route', directRules(m.buyers[0]!.url, m.buyers[1]!.url));
    leadsFile(dir, [lead(1), '{"id": "T002", oops', lead(3, { lead_score: 'high' }), lead(4)]);
    const r = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', ...AT], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^T001 +→ Alpha \$25\.00 exclusive/m);
    expect(r.out).toContain('line 2: rejected: line 2 of leads.jsonl is not valid JSON');
    expect(r.out).toMatch(/^T003 +rejected: .*lead_score/m);
    expect(r.out).toMatch(/^T004 +→ Alpha \$25\.00 exclusive/m);
    expect(r.out).toContain('4 leads: 2 sold (2 exclusive, 0 shared), 0 unsold, 2 rejected; revenue $50.00; 0 deliveries failed');

    // A bad lead alone is an outcome, not a failure: exit 0.
    leadsFile(dir, [lead(3, { lead_score: 'high' })]);
    expect((await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', ...AT], dir)).code).toBe(0);
  });

  it('exit 1 when a delivery fails (no answer after retries); 2 for usage and rule errors, with the diagnostics', async () => {
    const m = await mocks({ buyers: [{ name: 'Down', post: { faults: { error: 1 } } }, { name: 'B' }] });
    const dir = scratchDir();
    writeScratch(dir, 'direct.route', directRules(m.buyers[0]!.url, m.buyers[1]!.url));
    leadsFile(dir, [lead(1)]);
    const failed = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', ...AT], dir);
    expect(failed.code).toBe(1);
    // Alpha's post failed; the cascade sold the lead to Beta.
    expect(failed.out).toMatch(/^T001 +→ Beta \$10\.00 exclusive +Alpha post failed/m);
    expect(failed.out).toContain('1 delivery failed');

    writeScratch(dir, 'broken.route', `${LEAD_FIELDS}\nbuyer X { price $5 accepts nonsense_field > 3 }\nflow main { waterfall { X } }\n`);
    const broken = await runCli(['sell', 'broken.route', '--leads', 'leads.jsonl'], dir);
    expect(broken.code).toBe(2);
    expect(broken.err).toContain('nonsense_field');
    expect((await runCli(['sell', 'direct.route'], dir)).code).toBe(2);
    expect((await runCli(['sell', '--leads', 'leads.jsonl'], dir)).code).toBe(2);
    expect((await runCli(['sell', 'direct.route', '--leads', 'missing.jsonl'], dir)).code).toBe(2);
    expect((await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--ephemeral'], dir)).code).toBe(2);
  });

  it('--buyers refuses rules that would send to a host off the machine (exit 2), and a buyer config it cannot start (exit 1)', async () => {
    const dir = scratchDir();
    writeScratch(dir, 'buyers.json', JSON.stringify({ buyers: [{ name: 'A', port: 0 }] }));
    writeScratch(dir, 'direct.route', directRules('https://buyer.example', 'http://127.0.0.1:9'));
    leadsFile(dir, [lead(1)]);
    const r = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--buyers', 'buyers.json'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the rules name other hosts');
    expect(r.err).toContain('Alpha post: https://buyer.example/post');
    writeScratch(dir, 'locked.json', JSON.stringify({ buyers: [{ name: 'L', requireHeader: { name: 'X-Key', valueFromEnv: 'LR_TEST_SELL_UNSET' } }] }));
    delete process.env.LR_TEST_SELL_UNSET;
    const locked = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--buyers', 'locked.json'], dir);
    expect(locked.code).toBe(1);
    expect(locked.err).toContain('LR_TEST_SELL_UNSET, which is not set');
  });

  it('--store keeps caps and the journals in SQLite across runs', async () => {
    const m = await mocks({ buyers: [{ name: 'A' }, { name: 'B' }] });
    const dir = scratchDir();
    writeScratch(dir, 'direct.route', directRules(m.buyers[0]!.url, m.buyers[1]!.url, 'cap 2/day'));
    leadsFile(dir, [lead(1), lead(2)]);
    const first = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--store', 'state.sqlite', '--concurrency', '1', ...AT], dir);
    expect(first.code).toBe(0);
    expect(first.out).toContain('2 sold (2 exclusive, 0 shared)');
    expect(first.out).not.toContain('→ Beta');
    // Alpha's cap of 2 a day was filled by the first run: the second sells to Beta.
    leadsFile(dir, [lead(3), lead(4)]);
    const second = await runCli(['sell', 'direct.route', '--leads', 'leads.jsonl', '--store', 'state.sqlite', '--concurrency', '1', ...AT], dir);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/^T003 +→ Beta \$10\.00/m);
    expect(second.out).toMatch(/^T004 +→ Beta \$10\.00/m);
    const store = new SqliteStore(join(dir, 'state.sqlite'));
    try {
      expect(store.decisions().map((d) => d.leadId).sort()).toEqual(['T001', 'T002', 'T003', 'T004']);
      const posts = store.attempts().filter((a) => a.kind === 'post');
      expect(posts.map((a) => `${a.leadId} ${a.buyer} ${a.outcome}`).sort()).toEqual(['T001 Alpha accepted', 'T002 Alpha accepted', 'T003 Beta accepted', 'T004 Beta accepted']);
    } finally {
      store.close();
    }
  });

  it('draws a progress bar only where io has a terminal (progressStream), never in the output', async () => {
    const m = await mocks({ buyers: [{ name: 'A' }, { name: 'B' }] });
    const dir = scratchDir();
    writeScratch(dir, 'direct.route', directRules(m.buyers[0]!.url, m.buyers[1]!.url));
    leadsFile(dir, [lead(1), lead(2), lead(3)]);
    let out = '';
    const terminal = fakeTerminal(80);
    const io: Io = { out: (t) => (out += `${t}\n`), err: (t) => (out += `${t}\n`), color: false, cwd: dir, progressStream: terminal };
    const code = await main(['sell', 'direct.route', '--leads', 'leads.jsonl', ...AT], io);
    expect(code).toBe(0);
    expect(terminal.frames().some((t) => /selling \[[#-]+\] +\d+% \d\/3 leads/.test(t))).toBe(true);
    expect(terminal.text).not.toContain('\n');
    expect(out).not.toMatch(/\r|selling \[/);
  });
});

describe('leadroute demo (alias of sell on the sample files)', () => {
  it('is listed in the help with sell', async () => {
    const r = await runCli(['help']);
    expect(r.out).toMatch(/^ {2}sell FILE +sell leads over HTTP/m);
    expect(r.out).toContain('`sell` on the sample files');
  });
});
