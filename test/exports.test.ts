// The package root's exports. src/index.ts re-exports whole modules (`export *`)
// beside named lists, and ES modules let a named re-export silently shadow a
// star-exported name: two functions exported under one name, one unreachable.
// Every name the root exports must come from one value, whichever line exports it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as root from '../src/index.js';
import { computeMetrics as buyerMetrics } from '../src/runtime/metrics.js';
import { computeMetrics as sellingMetrics } from '../src/deliver/metrics.js';
import { MemoryJournal } from '../src/adapters/memory-journal.js';
import { MemoryStore } from '../src/adapters/memory-store.js';
import { SqliteJournal } from '../src/adapters/sqlite-journal.js';
import { SqliteStore } from '../src/adapters/sqlite-store.js';

const ROOT_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../src/index.ts');

interface Source {
  module: string;
  value: unknown;
}

/** Every value name src/index.ts exports, with each module that supplies it (type-only exports left out). */
async function reExports(): Promise<Map<string, Source[]>> {
  const file = ts.createSourceFile(ROOT_FILE, readFileSync(ROOT_FILE, 'utf8'), ts.ScriptTarget.Latest);
  const out = new Map<string, Source[]>();
  const add = (name: string, source: Source) => out.set(name, [...(out.get(name) ?? []), source]);
  for (const stmt of file.statements) {
    // `export const x = …` in the root itself, which would shadow a star-exported x.
    if (ts.isVariableStatement(stmt) && stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      for (const d of stmt.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) add(d.name.text, { module: 'src/index.ts', value: (root as Record<string, unknown>)[d.name.text] });
      }
    }
    if (!ts.isExportDeclaration(stmt) || stmt.isTypeOnly || stmt.moduleSpecifier === undefined) continue;
    const spec = (stmt.moduleSpecifier as ts.StringLiteral).text;
    const mod = (await import(pathToFileURL(resolve(dirname(ROOT_FILE), spec.replace(/\.js$/, '.ts'))).href)) as Record<string, unknown>;
    const clause = stmt.exportClause;
    if (clause === undefined) {
      for (const [name, value] of Object.entries(mod)) add(name, { module: spec, value });
    } else if (ts.isNamedExports(clause)) {
      for (const el of clause.elements) {
        if (el.isTypeOnly) continue;
        add(el.name.text, { module: spec, value: mod[(el.propertyName ?? el.name).text] });
      }
    }
  }
  return out;
}

describe('package root exports', () => {
  it('no name is exported from two modules with different values', async () => {
    const clashes = [...(await reExports())]
      .filter(([, sources]) => new Set(sources.map((s) => s.value)).size > 1)
      .map(([name, sources]) => `${name}: ${sources.map((s) => s.module).join(', ')}`);
    expect(clashes).toEqual([]);
  });

  it('the two metrics have distinct names: buyer outcome rates (routing) and the selling report (delivery journal)', () => {
    expect(root.computeBuyerMetrics).toBe(buyerMetrics);
    expect(root.computeDeliveryMetrics).toBe(sellingMetrics);
    // `computeMetrics` keeps the meaning it always had at the root: the selling report (seller.metrics()).
    expect(root.computeMetrics).toBe(sellingMetrics);
  });

  it('stores and journals are the adapters', () => {
    expect(root.MemoryStore).toBe(MemoryStore);
    expect(root.SqliteStore).toBe(SqliteStore);
    expect(root.MemoryJournal).toBe(MemoryJournal);
    expect(root.SqliteJournal).toBe(SqliteJournal);
  });
});
