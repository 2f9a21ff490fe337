// Router processes for the multi-process tests and the kill test: each a real
// child process (store-worker.ts under tsx) with its own SQLite connection.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { WorkerCommand, WorkerReply } from './store-worker.js';

const WORKER = fileURLToPath(new URL('./store-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export class Worker {
  readonly child: ChildProcess;
  /** Resolves with the exit code and signal when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';

  constructor() {
    this.child = fork(WORKER, [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    this.child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** What the process wrote to stderr (a crash's stack). */
  get errors(): string {
    return this.stderr;
  }

  /** Send a command and wait for its reply; rejects if the process ends first. */
  ask(c: WorkerCommand): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        return reject(new Error(`worker has ended (code ${this.child.exitCode}, signal ${this.child.signalCode}): ${this.stderr}`));
      }
      const onExit = (code: number | null, signal: string | null) =>
        reject(new Error(`worker ended (code ${code}, signal ${signal}) before answering ${c.cmd}: ${this.stderr}`));
      this.child.once('exit', onExit);
      this.child.once('message', (m: WorkerReply) => {
        this.child.off('exit', onExit);
        resolve(m);
      });
      this.child.send(c);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.send({ cmd: 'exit' } satisfies WorkerCommand);
      await this.exited;
    }
  }
}

/** What a store file holds for one buyer: its lead counters, sold events and routed decisions. */
export interface Ledger {
  /** Sum of the buyer's lead-cap counters. */
  counters: number;
  /** `sold` events for the buyer. */
  soldEvents: number;
  /** Decisions routed to the buyer. */
  routed: number;
  /** Every decision journaled. */
  decisions: number;
}

/** Read a store file's ledger for `buyer` with a connection of its own (read only). */
export function ledger(path: string, buyer: string): Ledger {
  const db = new Database(path, { readonly: true });
  try {
    const one = (sql: string, ...params: unknown[]) => (db.prepare(sql).pluck().get(...params) as number | null) ?? 0;
    return {
      counters: one("SELECT sum(value) FROM caps WHERE key LIKE ? || '|leads|%'", `buyer|${buyer}`),
      soldEvents: one("SELECT count(*) FROM events WHERE kind = 'sold' AND buyer = ?", buyer),
      routed: one(
        "SELECT count(*) FROM decisions AS d, json_each(d.buyers) AS b WHERE d.status = 'routed' AND b.value ->> '$.name' = ?",
        buyer,
      ),
      decisions: one('SELECT count(*) FROM decisions'),
    };
  } finally {
    db.close();
  }
}
