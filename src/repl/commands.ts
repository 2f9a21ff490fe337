// The REPL's commands, one table: each with its argument words, its help line,
// what it completes and what it does. `:help` and the completer read the same
// table, so a command cannot exist without help or without completion.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { money } from '../cli/decisions.js';
import { zoneClock } from '../runtime/time.js';
import { CAP_UNIT_NAMES, capLabel, formatCaps, setCap } from './caps.js';
import { explainBuyer } from './explain.js';
import { describeType } from './lead-line.js';
import { loadLeadsFile } from './load.js';
import { MockError, MockTarget } from './mock.js';
import { parseRoutingTime, type Session } from './session.js';

/** What a command asks the shell to do after it ran. */
export type CommandEffect = 'continue' | 'quit';

export interface CommandResult {
  text: string;
  effect: CommandEffect;
}

export interface Command {
  /** Its arguments as help shows them: `NAME`, `TIME [ZONE] | now`. */
  readonly args: string;
  readonly help: string;
  /** Candidates for argument `index` (0-based); `words` are the arguments typed so far, the one being completed included. */
  complete(session: Session, index: number, words: readonly string[]): string[];
  run(session: Session, args: string[]): Promise<string | CommandResult>;
}

const none = (): string[] => [];
const buyers = (s: Session): string[] => s.plan.buyers.map((b) => b.name);

/** The table. Its keys are the commands (typed with a leading colon). */
export const COMMANDS = {
  help: {
    args: '',
    help: 'list the commands and how to type a lead',
    complete: none,
    run: async () => helpText(),
  },
  flow: {
    args: '[NAME]',
    help: 'route through flow NAME (no name: show the flows)',
    complete: (s, i) => (i === 0 ? s.plan.flows.map((f) => f.name) : []),
    run: async (s, [name]) => {
      const names = s.plan.flows.map((f) => f.name);
      if (name === undefined) return names.map((n) => `${n === (s.flow ?? s.plan.defaultFlow) ? '*' : ' '} ${n}${n === s.plan.defaultFlow ? ' (default)' : ''}`).join('\n');
      if (!names.includes(name)) return `no flow \`${name}\`; the file has ${names.map((n) => `\`${n}\``).join(', ')}`;
      s.flow = name === s.plan.defaultFlow ? null : name;
      return `flow ${name}`;
    },
  },
  at: {
    args: 'TIME [ZONE] | now',
    help: 'route at TIME (`2026-11-24T08:59 America/New_York`; UTC without a zone); `now` follows the clock again',
    complete: (_s, i) => (i === 0 ? ['now'] : i === 1 ? COMMON_ZONES : []),
    run: async (s, args) => setTime(s, args),
  },
  seed: {
    args: 'N',
    help: 'the seed of `random` and split draws (0 by default)',
    complete: none,
    run: async (s, [seed, ...extra]) => {
      if (seed === undefined || extra.length > 0) return `seed ${s.seed}`;
      s.seed = seed;
      return `seed ${seed}`;
    },
  },
  caps: {
    args: '',
    help: 'the cap counters at the routing time: used and limit, buyer by buyer and rule by rule',
    complete: none,
    run: async (s) => formatCaps(s),
  },
  cap: {
    args: 'BUYER LIMIT/UNIT [USED] | BUYER off',
    help: "set a buyer's cap (in place of the file's of that unit) and its count now: `:cap Premium 100/h 100` fills it",
    complete: (s, i, words) => (i === 0 ? buyers(s) : i === 1 ? capCandidates(words[1] ?? '') : []),
    run: async (s, args) => setCap(s, args),
  },
  buyers: {
    args: '',
    help: 'the buyers: price, caps, and whether they are pinged',
    complete: none,
    run: async (s) => listBuyers(s),
  },
  fields: {
    args: '',
    help: "the lead's fields and their types, from the lead schema",
    complete: none,
    run: async (s) => listFields(s),
  },
  explain: {
    args: 'BUYER',
    help: 'judge every clause of BUYER against the last lead: which accepts or refuses it, and why',
    complete: (s, i) => (i === 0 ? buyers(s) : []),
    run: async (s, [buyer]) => (buyer === undefined ? 'usage: :explain BUYER' : explainBuyer(s, buyer)),
  },
  load: {
    args: 'FILE.jsonl',
    help: 'route every lead of a file (one JSON object a line; caps count them) and sum up: leads per buyer, why the rest were not routed',
    complete: (s, i, words) => (i === 0 ? pathCandidates(s.cwd, words[0] ?? '') : []),
    run: async (s, [file]) => (file === undefined ? 'usage: :load FILE.jsonl' : loadLeadsFile(s, file)),
  },
  mock: {
    args: 'CONFIG | off',
    help: 'run auctions against the mock buyers of CONFIG (e.g. examples/mock-buyers.json) on 127.0.0.1; `off`: dry runs again',
    complete: (s, i, words) => (i === 0 ? ['off', ...pathCandidates(s.cwd, words[0] ?? '')] : []),
    run: async (s, [config]) => useMock(s, config),
  },
  reload: {
    args: '',
    help: 'compile the file again (done by itself when the file changes); on errors the last good plan stays',
    complete: none,
    run: async (s) => {
      const r = await s.reload();
      return r.ok ? r.note : `${r.diagnostics}\nkept the last good plan`;
    },
  },
  quit: {
    args: '',
    help: 'leave (Ctrl-D too)',
    complete: none,
    run: async () => ({ text: '', effect: 'quit' }),
  },
} satisfies Record<string, Command>;

export type CommandName = keyof typeof COMMANDS;

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export function commandNamed(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandName] : undefined;
}

export function helpText(): string {
  const rows = COMMAND_NAMES.map((n) => [`:${n}${COMMANDS[n].args ? ` ${COMMANDS[n].args}` : ''}`, COMMANDS[n].help] as const);
  const width = Math.max(...rows.map((r) => r[0].length));
  return [
    'Type a lead to route it, as JSON or as field=value pairs:',
    '  {"state":"CA","credit_score":720,"homeowner":true}',
    '  state=CA credit_score=720 homeowner=true name="Pat Lee" tags=a,b',
    '(numbers and money as numbers, $ allowed; bool true/false or yes/no; a list as a,b; "quotes" around spaces)',
    '',
    ...rows.map(([usage, help]) => `  ${usage.padEnd(width)}  ${help}`),
  ].join('\n');
}

/** Zones offered after `:at TIME`: any IANA zone is accepted. */
const COMMON_ZONES = ['UTC', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Phoenix', 'Europe/London'];

function setTime(s: Session, args: string[]): string {
  const [time, zone, ...extra] = args;
  if (time === undefined) return s.fixedTime === null ? `routing at the clock's time (${new Date(s.now()).toISOString()})` : describeTime(s);
  if (extra.length > 0) return 'usage: :at TIME [ZONE] | now';
  if (time === 'now') {
    s.fixedTime = null;
    return `routing at the clock's time again (${new Date(s.now()).toISOString()})`;
  }
  const parsed = parseRoutingTime(time, zone);
  if ('error' in parsed) return parsed.error;
  s.fixedTime = parsed;
  return describeTime(s);
}

function describeTime(s: Session): string {
  const t = s.fixedTime!;
  const utc = new Date(t.ms).toISOString();
  if (t.zone === 'UTC') return `routing at ${utc}`;
  const local = new Date(zoneClock(t.zone).local(t.ms)).toISOString().slice(0, 16).replace('T', ' ');
  return `routing at ${local} ${t.zone} (${utc})`;
}

function listBuyers(s: Session): string {
  const width = Math.max(0, ...s.plan.buyers.map((b) => b.name.length));
  return s.plan.buyers
    .map((b) => {
      const price = b.price === null ? 'no price' : b.price.op === 'lit' && typeof b.price.value === 'number' ? money(b.price.value) : 'priced by an expression';
      const caps = b.caps.length === 0 ? '' : `, cap ${b.caps.map(capLabel).join(', ')}`;
      const ping = b.ping ? ', pinged' : '';
      const overflow = b.overflow ? `, overflow ${b.overflow}` : '';
      return `${b.name.padEnd(width)}  ${price}${caps}${ping}${overflow}`;
    })
    .join('\n');
}

function listFields(s: Session): string {
  const fields = s.plan.lead.fields;
  const width = Math.max(0, ...fields.map((f) => f.name.length));
  return fields.map((f) => `${f.name.padEnd(width)}  ${describeType(f.type)}${f.optional ? ' optional' : ''}${f.pii ? ' pii' : ''}`).join('\n');
}

async function useMock(s: Session, config: string | undefined): Promise<string> {
  if (config === undefined) return s.mock === null ? 'auctions are dry runs (`:mock CONFIG` starts mock buyers)' : `mock buyers of ${s.mock.configFile}: ${s.mock.describe()}`;
  if (config === 'off') {
    if (s.mock === null) return 'no mock buyers are running';
    await s.useMock(null);
    return 'mock buyers stopped; auctions are dry runs again';
  }
  let mock: MockTarget;
  try {
    mock = await MockTarget.start(config, s.cwd, s.store);
  } catch (err) {
    if (err instanceof MockError) return err.message;
    throw err;
  }
  const notes = await s.useMock(mock);
  if (notes.length > 0) return notes.join('\n');
  return `mock buyers of ${config} on 127.0.0.1: ${mock.describe()}\nleads are now sold to them (auctions pinged, sales posted)`;
}

/** `100` → `100/min`, `100/h`, …: the units after a typed limit; `off` before one. */
function capCandidates(typed: string): string[] {
  const limit = /^\$?\d+(\.\d+)?/.exec(typed)?.[0];
  return limit === undefined ? ['off'] : CAP_UNIT_NAMES.map((u) => `${limit}/${u}`);
}

/** Files and folders under `cwd` that complete `prefix`. */
function pathCandidates(cwd: string, prefix: string): string[] {
  const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
  const dir = resolve(cwd, dirPart || '.');
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith('.'))
      .map((name) => {
        const isDir = statSync(join(dir, name)).isDirectory();
        return `${dirPart}${name}${isDir ? '/' : ''}`;
      });
  } catch {
    return [];
  }
}

