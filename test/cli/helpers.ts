import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../src/cli/index.js';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Run the CLI in-process, from the repository root, capturing its output. */
export async function runCli(args: string[], cwd = ROOT): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`), err: (t) => (err += t.endsWith('\n') ? t : `${t}\n`), color: false, cwd };
  const code = await main(args, io);
  return { code, out, err };
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'leadroute-'));
}

export function writeScratch(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A terminal stream for a progress bar: a TTY `columns` wide that keeps what was written. */
export function fakeTerminal(columns: number): { isTTY: true; columns: number; text: string; write: (t: string, done?: () => void) => boolean; frames: () => string[] } {
  const terminal = {
    isTTY: true as const,
    columns,
    text: '',
    write(t: string, done?: () => void) {
      terminal.text += t;
      done?.();
      return true;
    },
    /** What each redraw left on the line, control sequences taken out. */
    frames: () => terminal.text.split(/\r|\u001b\[\d*G/).map((f) => f.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '')).filter((f) => f !== ''),
  };
  return terminal;
}
