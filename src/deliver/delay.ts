// Delayed delivery: an in-process timer queue. Each job runs once, at its time,
// or earlier when the queue is flushed. Jobs are lost if the process exits first
// (the in-process scheduler's, ./scheduler.ts; the durable one is BullMQ's,
// src/adapters/bullmq-deliveries.ts).

interface Job {
  at: number;
  run: () => Promise<void>;
  timer: NodeJS.Timeout | null;
}

export class DelayQueue {
  private readonly jobs = new Set<Job>();
  private readonly running = new Set<Promise<void>>();

  /** Jobs waiting for their time. */
  get size(): number {
    return this.jobs.size;
  }

  /** Run `run` at `at` (ms since the epoch; now or earlier runs on the next tick). */
  schedule(at: number, run: () => Promise<void>): void {
    const job: Job = { at, run, timer: null };
    this.jobs.add(job);
    job.timer = setTimeout(() => this.start(job), Math.max(0, at - Date.now()));
  }

  private start(job: Job): void {
    if (!this.jobs.delete(job)) return;
    if (job.timer) clearTimeout(job.timer);
    const p = job.run().catch(() => undefined);
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  /** Run every waiting job now and wait for all running jobs. */
  async flush(): Promise<void> {
    for (const job of [...this.jobs].sort((a, b) => a.at - b.at)) this.start(job);
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Wait for running jobs; drop the waiting ones. Returns how many were dropped. */
  async close(): Promise<number> {
    const dropped = this.jobs.size;
    for (const job of this.jobs) if (job.timer) clearTimeout(job.timer);
    this.jobs.clear();
    while (this.running.size > 0) await Promise.all([...this.running]);
    return dropped;
  }
}
