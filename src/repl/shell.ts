// The REPL on a terminal: node:readline with the REPL's completer, a history
// kept across runs in a file, and a watcher that reloads the rule file when it
// changes. Everything it does with a line is the Repl's (repl.ts).

import { mkdirSync, readFileSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Repl } from './repl.js';

/** The variable that names the history file (tests point it at a temporary file). */
export const HISTORY_ENV = 'LEADROUTE_REPL_HISTORY';
/** Lines kept in the history. */
export const HISTORY_SIZE = 1000;
/** Edits arrive as bursts of events (write, rename, chmod): one reload after the burst settles. */
export const RELOAD_DEBOUNCE_MS = 150;

/** Where the history lives: $LEADROUTE_REPL_HISTORY, else $XDG_STATE_HOME/leadroute/repl_history, else ~/.local/state/leadroute/repl_history. */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  const named = env[HISTORY_ENV];
  if (named !== undefined && named !== '') return resolve(named);
  const state = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'leadroute', 'repl_history');
}

/** The history, newest first (readline's order); empty when there is none yet. */
export function readHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** Write the history (newest first, as readline keeps it) oldest line first. A history that cannot be written is not worth failing for. */
export function writeHistory(path: string, newestFirst: readonly string[]): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, [...newestFirst].slice(0, HISTORY_SIZE).reverse().join('\n') + '\n', { mode: 0o600 });
  } catch {
    // (a read-only home, say): the session goes on without saving
  }
}

/**
 * Calls `onChange` once a burst of changes to `file` has been quiet for
 * `debounceMs`. The folder is watched, not the file: an editor that saves by
 * writing a new file and renaming it over the old one would end a watch on
 * the file itself.
 */
export function watchFile(file: string, onChange: () => void, debounceMs = RELOAD_DEBOUNCE_MS): { close(): void } {
  const name = basename(file);
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        onChange();
      }, debounceMs);
    });
    watcher.on('error', () => undefined); // the folder went away: `:reload` still works
  } catch {
    watcher = null;
  }
  return {
    close() {
      if (timer !== null) clearTimeout(timer);
      watcher?.close();
    },
  };
}

export interface ShellOptions {
  input: Readable;
  output: Writable;
  /** Whether the input is a terminal (history and completion need one). */
  terminal: boolean;
  /** The history file; historyPath() by default. */
  historyFile?: string;
  /** The rule file to watch (resolved); not watched when absent. */
  watch?: string;
  prompt?: string;
}

/** Read lines until `:quit` or end of input; resolves when the shell is closed. */
export async function runShell(repl: Repl, options: ShellOptions): Promise<void> {
  const historyFile = options.historyFile ?? historyPath();
  const rl: Interface = createInterface({
    input: options.input,
    output: options.output,
    terminal: options.terminal,
    completer: (line: string) => repl.complete(line),
    history: readHistory(historyFile),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    prompt: options.prompt ?? 'leadroute> ',
  });
  const print = (text: string) => {
    if (text !== '') options.output.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  rl.on('history', (lines: string[]) => writeHistory(historyFile, lines));
  // Ctrl-C drops the line being typed; a second one on an empty line leaves (as node's own REPL does).
  let interrupted = false;
  rl.on('SIGINT', () => {
    if (interrupted && rl.line === '') {
      rl.close();
      return;
    }
    interrupted = rl.line === '';
    rl.write(null, { ctrl: true, name: 'u' });
    options.output.write('\n');
    if (interrupted) print('(Ctrl-C again, Ctrl-D or :quit to leave)');
    prompt();
  });
  rl.on('line', () => {
    interrupted = false;
  });

  let isClosed = false;
  const prompt = (preserveCursor?: boolean) => {
    if (!isClosed) rl.prompt(preserveCursor);
  };
  // One line at a time: a reload or a slow auction finishes before the next line runs.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (job: () => Promise<void>) => {
    queue = queue.then(job).catch((err: unknown) => print(`error: ${(err as Error)?.message ?? String(err)}`));
  };
  const watcher = options.watch === undefined ? null : watchFile(options.watch, () => enqueue(async () => {
    print(`\n${await repl.fileChanged()}`);
    prompt(true);
  }));

  const closed = new Promise<void>((done) => rl.once('close', done));
  rl.on('line', (line) =>
    enqueue(async () => {
      const result = await repl.run(line);
      print(result.text);
      if (result.effect === 'quit') {
        isClosed = true;
        rl.close();
      } else prompt();
    }),
  );
  prompt();
  await closed;
  isClosed = true;
  watcher?.close();
  await queue;
}
