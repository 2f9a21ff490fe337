// The REPL's state: the rule file and the plan compiled from it, the router
// (with one store kept across reloads, so cap counters survive an edit), the
// flow, the clock, the seed, the last lead, the caps the user set, and the mock
// buyers when an auction is to be run against them. Commands (commands.ts) read
// and change it; nothing here prints.

import { MemoryStore } from '../adapters/index.js';
import type { Plan } from '../compile/index.js';
import { loadPlanArgument } from '../cli/check.js';
import type { Io } from '../cli/io.js';
import type { PlanCap } from '../plan/index.js';
import { closestZone, isValidZone } from '../core/zones.js';
import { localToUtc, zoneClock } from '../runtime/time.js';
import { Router, type Decision, type RouteOptions } from '../runtime/index.js';
import { MockTarget } from './mock.js';

/** Decisions the session's journal keeps: a long session of `:load`s stays small. */
const DECISIONS_KEPT = 1000;

export interface SessionOptions {
  /** The rule file (or compiled plan.json), as the user named it. */
  file: string;
  /** Where relative paths resolve. */
  cwd: string;
  color: boolean;
  /** The live clock, used until `:at` fixes a time (tests pass their own). */
  clock: () => number;
  /** Diagnostics shown when the file does not load (the default cap when absent; 0: all). */
  maxErrors?: number;
}

/** A fixed routing time set with `:at`, and the zone it was typed in (for display). */
export interface FixedTime {
  ms: number;
  zone: string;
}

/**
 * `2026-11-24T08:59` read in `zone` (UTC when none), or an ISO time with `Z` or
 * an offset (then no zone): the routing time `:at` sets, and a `leadroute test`
 * case's `at`. An error is a sentence for the user.
 */
export function parseRoutingTime(time: string, zone: string | undefined): FixedTime | { error: string } {
  const absolute = /(Z|[+-]\d\d:?\d\d)$/i.test(time);
  if (absolute && zone !== undefined) return { error: `\`${time}\` already says its offset; leave out the zone` };
  const z = zone ?? 'UTC';
  if (!isValidZone(z)) {
    const near = closestZone(z);
    return { error: `unknown time zone \`${z}\`${near ? ` (did you mean \`${near}\`?)` : ''}` };
  }
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?)?$/.exec(time);
  let ms: number;
  if (absolute) ms = Date.parse(time);
  else if (m) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0'] = m;
    const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Number(frac.padEnd(3, '0')));
    ms = localToUtc(zoneClock(z), local);
  } else ms = NaN;
  if (!Number.isFinite(ms)) return { error: `\`${time}\` is not a time: write 2026-11-24T08:59 (and a zone), or an ISO time with Z or an offset` };
  return { ms, zone: absolute ? 'UTC' : z };
}

/** What a reload did. */
export type ReloadResult = { ok: true; note: string } | { ok: false; diagnostics: string };

export class Session {
  readonly file: string;
  readonly cwd: string;
  readonly color: boolean;
  private readonly clock: () => number;
  private readonly maxErrors: number | undefined;
  /** Cap counters, dedupe keys and the journal (its last DECISIONS_KEPT decisions): kept across reloads and cap changes. */
  readonly store = new MemoryStore({ decisionLimit: DECISIONS_KEPT });
  /** The plan as the file says it. */
  filePlan!: Plan;
  /** The plan routed: the file's, with the caps `:cap` set. */
  plan!: Plan;
  router!: Router;
  flow: string | null = null;
  fixedTime: FixedTime | null = null;
  seed = '0';
  lastLead: Record<string, unknown> | null = null;
  /** Buyer → the caps `:cap` set on it (replacing the file's cap of the same measure and unit). */
  readonly capOverrides = new Map<string, PlanCap[]>();
  mock: MockTarget | null = null;

  private constructor(options: SessionOptions) {
    this.file = options.file;
    this.cwd = options.cwd;
    this.color = options.color;
    this.clock = options.clock;
    this.maxErrors = options.maxErrors;
  }

  /** A session on a file that compiles; throws with the diagnostics when it does not. */
  static async open(options: SessionOptions): Promise<Session> {
    const s = new Session(options);
    const loaded = s.compileFile();
    if (!loaded.ok) throw new SessionError(loaded.diagnostics);
    await s.usePlan(loaded.plan);
    return s;
  }

  /** Compile the file again; on errors keep the plan routed now and return the diagnostics. */
  async reload(): Promise<ReloadResult> {
    const loaded = this.compileFile();
    if (!loaded.ok) return { ok: false, diagnostics: loaded.diagnostics };
    const notes: string[] = [];
    if (this.flow !== null && !loaded.plan.flows.some((f) => f.name === this.flow)) {
      notes.push(`flow \`${this.flow}\` is gone; back to the default flow \`${loaded.plan.defaultFlow}\``);
      this.flow = null;
    }
    for (const buyer of [...this.capOverrides.keys()]) {
      if (!loaded.plan.buyers.some((b) => b.name === buyer)) {
        notes.push(`buyer ${buyer} is gone; its \`:cap\` is dropped`);
        this.capOverrides.delete(buyer);
      }
    }
    notes.push(...(await this.usePlan(loaded.plan)));
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    const counts = `${count(this.plan.buyers.length, 'buyer')}, ${count(this.plan.flows.length, 'flow')}`;
    return { ok: true, note: [`reloaded ${this.file} (${counts})`, ...notes].join('\n') };
  }

  /** The file compiled (errors as formatted diagnostics: file:line:col and code). */
  private compileFile(): { ok: true; plan: Plan } | { ok: false; diagnostics: string } {
    const errors: string[] = [];
    const io: Io = { out: () => undefined, err: (t) => errors.push(t.replace(/\n$/, '')), color: this.color, cwd: this.cwd };
    try {
      const plan = loadPlanArgument(this.file, io, this.maxErrors);
      if (plan !== null) return { ok: true, plan };
      return { ok: false, diagnostics: errors.join('\n') || `${this.file} has errors` };
    } catch (err) {
      return { ok: false, diagnostics: `${this.file}: ${(err as Error).message}` };
    }
  }

  /** Route with `plan` from now on (the caps set with `:cap` applied to it). Returns
   *  what the user should know (mock buyers dropped because the plan names another host). */
  async usePlan(filePlan: Plan): Promise<string[]> {
    this.filePlan = filePlan;
    this.plan = withCaps(filePlan, this.capOverrides);
    this.router = new Router(this.plan, { store: this.store, seed: this.seed, trace: true });
    return this.mock === null ? [] : this.retargetMock(this.mock);
  }

  /** Apply `:cap` overrides again after one changed. */
  async capsChanged(): Promise<string[]> {
    return this.usePlan(this.filePlan);
  }

  /** Sell through `mock` from now on; when the plan cannot be sent to it, stop it and say why. */
  async useMock(mock: MockTarget | null): Promise<string[]> {
    const old = this.mock;
    this.mock = null;
    if (old !== null) await old.close();
    if (mock === null) return [];
    this.mock = mock;
    return this.retargetMock(mock);
  }

  private async retargetMock(mock: MockTarget): Promise<string[]> {
    try {
      await mock.retarget(this.plan, this.seed);
      return [];
    } catch (err) {
      this.mock = null;
      await mock.close();
      return [`${(err as Error).message}\nmock buyers stopped; auctions are dry runs again`];
    }
  }

  /** The routing time: the one `:at` set, else the live clock. */
  now(): number {
    return this.fixedTime?.ms ?? this.clock();
  }

  routeOptions(): RouteOptions {
    const opts: RouteOptions = { now: this.now(), seed: this.seed, trace: true };
    if (this.flow !== null) opts.flow = this.flow;
    return opts;
  }

  /** Route a lead with the router alone: no HTTP (an auction decision stays pending). */
  route(lead: unknown): Decision {
    return this.router.route(lead, this.routeOptions());
  }

  async close(): Promise<void> {
    const mock = this.mock;
    this.mock = null;
    if (mock !== null) await mock.close();
    this.store.close();
  }
}

export class SessionError extends Error {}

/** The plan with each overridden buyer's caps replaced (same measure and unit) or added. */
export function withCaps(plan: Plan, overrides: ReadonlyMap<string, PlanCap[]>): Plan {
  if (overrides.size === 0) return plan;
  return {
    ...plan,
    buyers: plan.buyers.map((b) => {
      const set = overrides.get(b.name);
      if (set === undefined) return b;
      const kept = b.caps.filter((c) => !set.some((o) => o.measure === c.measure && o.unit === c.unit));
      return { ...b, caps: [...kept, ...set] };
    }),
  };
}
