// A rule file reads only files inside its own folder (or the root an embedder
// gives), only regular files, only up to a size limit, and no message quotes
// a file's content (issue 13 §1). Real files in a temporary folder.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/index.js';
import { MAX_NAMED_FILE_BYTES } from '../../src/core/limits.js';
import { runCli } from '../cli/helpers.js';

/** A folder holding `rules/` (the rule file's folder) and a file beside it. */
function workspace(): { top: string; rules: string } {
  const top = mkdtempSync(join(tmpdir(), 'leadroute-files-'));
  const rules = join(top, 'rules');
  mkdirSync(join(rules, 'templates'), { recursive: true });
  writeFileSync(join(top, 'secret.txt'), 'TOP-SECRET-CONTENT\n');
  writeFileSync(join(rules, 'templates', 'post.hbs'), '{"id":"{{lead.id}}"}');
  return { top, rules };
}

const postWith = (template: string) => `lead { id: string }
buyer B { price $1
  post "http://127.0.0.1:9/x" text "${template}" accepted "ok" == true }
flow f { route B }
`;

function compileIn(rules: string, source: string, options: { root?: string } = {}) {
  return compile(source, { file: join(rules, 'r.route'), ...options });
}

const codes = (r: ReturnType<typeof compile>) => r.diagnostics.map((d) => `${d.code}@${d.span.line}:${d.span.col}`);

describe('files a rule file names stay inside its folder', () => {
  it('the reproducer: a `..` template path is LR215, and no plan embeds the file', () => {
    const { rules } = workspace();
    const r = compileIn(rules, postWith('../../../../etc/passwd'));
    expect(codes(r)).toEqual(['LR215@3:36']);
    expect(r.plan).toBeNull();
    expect(r.diagnostics[0]!.message).toBe("the template `../../../../etc/passwd` is outside the rule file's folder: a rule file reads only files inside it");
  });

  it('a `..` that leaves the folder for a file that exists is refused, and its content is never quoted', () => {
    const { rules } = workspace();
    const r = compileIn(rules, postWith('../secret.txt'));
    expect(codes(r)).toEqual(['LR215@3:36']);
    expect(JSON.stringify(r.diagnostics)).not.toContain('TOP-SECRET');
  });

  it('`lead from "/etc/passwd"` is LR215 (an absolute path) and quotes nothing of the file', () => {
    const { rules } = workspace();
    const r = compileIn(rules, 'lead from "/etc/passwd"\nbuyer B { price $1 }\nflow f { route B }\n');
    expect(codes(r)).toEqual(['LR215@1:11']);
    expect(JSON.stringify(r.diagnostics)).not.toMatch(/root:|nologin/);
  });

  it('a `..` that stays inside the folder is fine', () => {
    const { rules } = workspace();
    const r = compileIn(rules, postWith('templates/../templates/post.hbs'));
    expect(codes(r)).toEqual([]);
    expect(JSON.stringify(r.plan)).toContain('lead.id');
  });

  it('a root the embedder gives lets rule files share a folder above them', () => {
    const { top, rules } = workspace();
    writeFileSync(join(top, 'shared.hbs'), '{"zip":"{{lead.id}}"}');
    expect(codes(compileIn(rules, postWith('../shared.hbs')))).toEqual(['LR215@3:36']);
    expect(codes(compileIn(rules, postWith('../shared.hbs'), { root: top }))).toEqual([]);
  });

  it('an embedder’s own reader is never asked for a path outside the root', () => {
    const asked: string[] = [];
    const readFile = (p: string) => {
      asked.push(p);
      return '{"properties":{"id":{"type":"string"}}}';
    };
    const r = compile('lead from "../x.json"\nbuyer B { price $1 }\nflow f { route B }\n', { file: '/srv/rules/r.route', readFile });
    expect(codes(r)).toEqual(['LR215@1:11']);
    expect(asked).toEqual([]);
  });
});

describe('only regular files, up to a size limit', () => {
  it('a FIFO is refused without blocking', () => {
    const { rules } = workspace();
    execFileSync('mkfifo', [join(rules, 'templates', 'pipe.hbs')]);
    const r = compileIn(rules, postWith('templates/pipe.hbs'));
    expect(codes(r)).toEqual(['LR215@3:36']);
    expect(r.diagnostics[0]!.message).toBe('the template `templates/pipe.hbs` is not a regular file');
  });

  it('a link to /dev/zero is refused (it leads out of the folder)', () => {
    const { rules } = workspace();
    symlinkSync('/dev/zero', join(rules, 'templates', 'zero.hbs'));
    const r = compileIn(rules, postWith('templates/zero.hbs'));
    expect(codes(r)).toEqual(['LR215@3:36']);
    expect(r.diagnostics[0]!.message).toContain('is a link to a file outside');
  });

  it('a link to a file inside the folder is followed', () => {
    const { rules } = workspace();
    symlinkSync(join(rules, 'templates', 'post.hbs'), join(rules, 'linked.hbs'));
    expect(codes(compileIn(rules, postWith('linked.hbs')))).toEqual([]);
  });

  it('a directory is no template', () => {
    const { rules } = workspace();
    expect(compileIn(rules, postWith('templates')).diagnostics.map((d) => d.message)).toEqual(['the template `templates` is not a regular file']);
  });

  it('a file over the limit is refused before it is read', () => {
    const { rules } = workspace();
    writeFileSync(join(rules, 'big.hbs'), 'x'.repeat(MAX_NAMED_FILE_BYTES + 1));
    const r = compileIn(rules, postWith('big.hbs'));
    expect(r.diagnostics.map((d) => d.message)).toEqual(['the template `big.hbs` is larger than 1 MB']);
    writeFileSync(join(rules, 'big.hbs'), 'x'.repeat(MAX_NAMED_FILE_BYTES));
    expect(codes(compileIn(rules, postWith('big.hbs')))).toEqual([]);
  });
});

describe('leadroute check', () => {
  it('reports the reproducer with its position and exits 1', async () => {
    const { rules } = workspace();
    writeFileSync(join(rules, 'r.route'), postWith('../../../../etc/passwd'));
    const r = await runCli(['check', join(rules, 'r.route')]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain('r.route:3:36: error LR215');
    expect(r.out + r.err).not.toContain('root:');
  });
});
