// The plan the service runs, from its rule file (compiled) or a compiled
// plan.json (verified), and the watcher that reloads it: a new plan replaces
// the old one only when it compiles without errors and the service accepts
// it; otherwise the old plan keeps serving and the errors are kept for
// GET /plan (and the log).

import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { compile, type Plan } from '../compile/index.js';
import { formatDiagnostic } from '../lang/index.js';
import { loadPlan, PlanError } from '../runtime/index.js';

export type PlanLoad = { ok: true; plan: Plan } | { ok: false; errors: string[] };

/** Compile a rule file or verify a plan.json; every error as `file:line:col: error LRnnn: …` text. */
export function loadPlanFile(path: string): PlanLoad {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`] };
  }
  if (path.endsWith('.json')) {
    try {
      return { ok: true, plan: loadPlan(JSON.parse(source)).plan };
    } catch (err) {
      if (err instanceof PlanError) return { ok: false, errors: err.problems.map((p) => `${path}: error: ${p.path}: ${p.message}`) };
      return { ok: false, errors: [`${path}: not a plan: ${(err as Error).message}`] };
    }
  }
  const { plan, diagnostics } = compile(source, { file: path, baseDir: dirname(path) });
  if (plan) return { ok: true, plan };
  return { ok: false, errors: diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, source, { color: false })) };
}

export interface ReloadRecord {
  at: number;
  ok: boolean;
  errors: string[];
}

export interface PlanWatcherOptions {
  file: string;
  /** Take the plan into service; throws when it cannot run (the old one stays). */
  install: (plan: Plan) => void;
  /** Told of every reload, taken or refused. */
  onReload?: (record: ReloadRecord) => void;
  debounceMs?: number;
}

/**
 * Watches the rule file's folder (an editor may save by renaming a new file
 * over the old one, which ends a watch on the file itself) and reloads on any
 * change in it: templates and schemas usually live beside the rules.
 */
export class PlanWatcher {
  readonly file: string;
  reloads = 0;
  last: ReloadRecord | null = null;
  loadedAt: number | null = null;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: PlanWatcherOptions) {
    this.file = resolve(options.file);
  }

  /** Load now; the outcome is also `last`. */
  reload(): ReloadRecord {
    const loaded = loadPlanFile(this.file);
    let record: ReloadRecord;
    if (!loaded.ok) record = { at: Date.now(), ok: false, errors: loaded.errors };
    else {
      try {
        this.options.install(loaded.plan);
        record = { at: Date.now(), ok: true, errors: [] };
        this.loadedAt = record.at;
      } catch (err) {
        record = { at: Date.now(), ok: false, errors: [`${this.file}: the plan cannot run: ${(err as Error).message}`] };
      }
    }
    this.reloads++;
    this.last = record;
    this.options.onReload?.(record);
    return record;
  }

  start(): void {
    if (this.watcher) return;
    const name = basename(this.file);
    const wait = this.options.debounceMs ?? 150;
    this.watcher = watch(dirname(this.file), (_event, changed) => {
      if (changed !== null && changed !== name && !/\.(route|json|hbs|xml|txt)$/.test(String(changed))) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.reload();
      }, wait);
    });
    this.watcher.on('error', () => undefined);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
  }
}
