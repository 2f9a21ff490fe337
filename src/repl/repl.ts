// The REPL without a terminal: createRepl() gives an object whose evaluate(line)
// returns what to print, so tests drive it line by line; shell.ts wraps it in
// readline (history, completion, the file watcher).

import { formatDecision } from '../cli/decisions.js';
import { paint } from '../cli/io.js';
import { dryRunAuction, formatSale } from './auction.js';
import { COMMAND_NAMES, COMMANDS, commandNamed, type CommandEffect } from './commands.js';
import { parseLeadLine, splitPairs, valuesOf } from './lead-line.js';
import { MockError, MockTarget } from './mock.js';
import { Session } from './session.js';

export interface ReplOptions {
  /** The rule file (or plan.json) to try leads against. */
  file: string;
  /** Where relative paths resolve; the process's working directory by default. */
  cwd?: string;
  color?: boolean;
  /** The clock routing follows until `:at` fixes a time; Date.now by default. */
  clock?: () => number;
  /** Start in this flow, at this time (as `:at` takes it), with this seed. */
  flow?: string;
  at?: string;
  seed?: string;
  /** Start mock buyers from this configuration (as `:mock` does). */
  buyers?: string;
  /** Diagnostics shown when the file does not load (see formatDiagnostics; 0: all). */
  maxErrors?: number;
}

export interface EvalResult {
  /** What to print (may be empty). */
  text: string;
  effect: CommandEffect;
}

export interface Repl {
  readonly session: Session;
  /** Run one typed line: a `:command`, or a lead. */
  run(line: string): Promise<EvalResult>;
  /** run(), for tests and scripts: just the text. (Not `eval`: no source file names it, see test/compile.) */
  evaluate(line: string): Promise<string>;
  /** Completion candidates for the line typed so far, and the part of it they replace (readline's completer). */
  complete(line: string): [string[], string];
  /** Compile the file again (keeping the last good plan on errors); what to print. */
  reload(): Promise<string>;
  /** The watcher's hook: the file changed on disk. */
  fileChanged(): Promise<string>;
  close(): Promise<void>;
}

/** Start a REPL on a file; throws (with the diagnostics) when the file does not compile. */
export async function createRepl(options: ReplOptions): Promise<Repl> {
  const session = await Session.open({
    file: options.file,
    cwd: options.cwd ?? process.cwd(),
    color: options.color ?? false,
    clock: options.clock ?? Date.now,
    ...(options.maxErrors !== undefined ? { maxErrors: options.maxErrors } : {}),
  });
  const repl = new ReplImpl(session);
  try {
    if (options.flow !== undefined) {
      const text = await repl.evaluate(`:flow ${options.flow}`);
      if (text !== `flow ${options.flow}`) throw new Error(`--flow: ${text}`);
    }
    if (options.at !== undefined) {
      const text = await repl.evaluate(`:at ${options.at}`);
      if (session.fixedTime === null && options.at !== 'now') throw new Error(`--at: ${text}`);
    }
    if (options.seed !== undefined) session.seed = options.seed;
    if (options.buyers !== undefined) {
      const mock = await MockTarget.start(options.buyers, session.cwd, session.store).catch((err: unknown) => {
        throw err instanceof MockError ? new Error(`--buyers: ${err.message}`) : err;
      });
      const notes = await session.useMock(mock);
      if (notes.length > 0) throw new Error(`--buyers: ${notes.join('\n')}`);
    }
  } catch (err) {
    await session.close();
    throw err;
  }
  return repl;
}

class ReplImpl implements Repl {
  constructor(readonly session: Session) {}

  async evaluate(line: string): Promise<string> {
    return (await this.run(line)).text;
  }

  async run(line: string): Promise<EvalResult> {
    const text = line.trim();
    if (text === '') return { text: '', effect: 'continue' };
    if (text.startsWith(':')) return this.command(text.slice(1));
    return { text: await this.lead(text), effect: 'continue' };
  }

  private async command(text: string): Promise<EvalResult> {
    const words = splitWords(text);
    const [name = '', ...args] = words;
    const command = commandNamed(name);
    if (command === undefined) {
      const near = COMMAND_NAMES.filter((n) => n.startsWith(name));
      const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `:${n}`).join(', ')}?)` : '';
      return { text: `unknown command \`:${name}\`${hint}; \`:help\` lists them`, effect: 'continue' };
    }
    const out = await command.run(this.session, args);
    return typeof out === 'string' ? { text: out, effect: 'continue' } : out;
  }

  private async lead(text: string): Promise<string> {
    const s = this.session;
    const parsed = parseLeadLine(text, s.plan.lead.fields);
    if (!parsed.ok) return paint(s.color).red(parsed.error);
    s.lastLead = parsed.lead;
    if (s.mock !== null) return formatSale(await s.mock.sell(parsed.lead, s.routeOptions()), s.color);
    const decision = s.route(parsed.lead);
    const shown = formatDecision(decision, true, s.color);
    if (decision.status === 'auction') return `${shown}\n${dryRunAuction(s.plan, decision, parsed.lead, s.color)}`;
    const posted = decision.buyers.filter((b) => s.plan.buyers.some((p) => p.name === b.name && (p.post || p.delivery?.batch)));
    if (decision.status !== 'routed' || posted.length === 0) return shown;
    return `${shown}\n${paint(s.color).dim(`  not delivered to ${posted.map((b) => b.name).join(', ')}: the REPL posts only to mock buyers (\`:mock CONFIG\`)`)}`;
  }

  complete(line: string): [string[], string] {
    const s = this.session;
    if (line.trimStart().startsWith(':')) {
      const body = line.trimStart().slice(1);
      const words = body.split(/\s+/);
      const current = words[words.length - 1] ?? '';
      // A finished word gets its space, so the next one can be typed (a folder keeps its `/`).
      if (words.length === 1) return [matching(COMMAND_NAMES.map((n) => `:${n}${COMMANDS[n].args ? ' ' : ''}`), `:${current}`), `:${current}`];
      const command = commandNamed(words[0]!);
      if (command === undefined) return [[], current];
      const args = words.slice(1);
      const candidates = command.complete(s, args.length - 1, args).map((c) => (c.endsWith('/') ? c : `${c} `));
      return [matching(candidates, current), current];
    }
    if (line.trimStart().startsWith('{')) return [[], ''];
    // A lead typed as pairs: a field name, or a value of the field before `=`.
    const current = /\S*$/.exec(line)?.[0] ?? '';
    const eq = current.indexOf('=');
    const fields = s.plan.lead.fields;
    if (eq < 0) {
      const typed = new Set(typedNames(line.slice(0, line.length - current.length)));
      return [matching(fields.filter((f) => !typed.has(f.name)).map((f) => `${f.name}=`), current), current];
    }
    const field = fields.find((f) => f.name === current.slice(0, eq));
    if (field === undefined) return [[], current];
    // In a list, complete the item after the last comma.
    const value = current.slice(eq + 1);
    const head = field.type.kind === 'list' ? current.slice(0, eq + 1 + value.lastIndexOf(',') + 1) : current.slice(0, eq + 1);
    const after = field.type.kind === 'list' ? '' : ' ';
    // Matched on the value as typed, without the quote a value with a space starts with.
    const typed = current.slice(head.length).replace(/^"/, '');
    const candidates = valuesOf(field.type)
      .filter((v) => v.startsWith(typed))
      .map((v) => head + quoteIfNeeded(v) + after);
    return [candidates, current];
  }

  async reload(): Promise<string> {
    const r = await this.session.reload();
    return r.ok ? r.note : `${r.diagnostics}\nkept the last good plan`;
  }

  fileChanged(): Promise<string> {
    return this.reload();
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** Candidates that start with what is typed (all of them when nothing is). */
function matching(candidates: string[], typed: string): string[] {
  return candidates.filter((c) => c.startsWith(typed));
}

/** The field names already typed on a line of pairs. */
function typedNames(text: string): string[] {
  const pairs = splitPairs(text);
  return Array.isArray(pairs) ? pairs.map((p) => p.name) : [];
}

function quoteIfNeeded(v: string): string {
  return /[\s",\\]/.test(v) || v === '' ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : v;
}

/** A command's words: split at spaces, double quotes grouping (a file name with spaces). */
function splitWords(text: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return words;
}
