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
