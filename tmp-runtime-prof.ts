import { readFileSync } from 'node:fs';
import { compile, loadPlan, Router } from './src/index.js';
import { MemoryStore } from './src/store/index.js';
import { makeLeads } from './examples/make-leads.js';
const source = readFileSync('./bench/rules.route', 'utf8');
const { plan } = compile(source, { file: 'bench/rules.route' });
const loaded = loadPlan(JSON.parse(JSON.stringify(plan)));
const leads = makeLeads(100_000, 7);
const NOW = new Date('2026-11-23T15:30:00.000Z');
const mode = process.argv[2] ?? 'full';
if (mode === 'noval') (loaded as any).validateLead = () => null;
const times: number[] = [];
let vt: number[] = [];
for (let k = 0; k < 12; k++) {
  const r = new Router(loaded, { store: new MemoryStore(), seed: 42 });
  const t0 = performance.now();
  for (const lead of leads) r.route(lead, { now: NOW });
  times.push(performance.now() - t0);
  const t1 = performance.now();
  for (const lead of leads) loaded.validateLead(lead);
  vt.push(performance.now() - t1);
}
times.sort((a, b) => a - b); vt.sort((a, b) => a - b);
console.log(mode, 'route median ms', times[6]!.toFixed(1), 'validate-only median ms', vt[6]!.toFixed(1));
console.log(JSON.stringify(plan!.lead.schema).slice(0, 1500));
