// The CLI is the edge that reads secrets from the environment: `leadroute demo`
// with rules whose buyer sends `{{secret.NAME}}` in headers and a URL exits 2
// naming the buyer and the variable when it is not set, and when it is, sells
// with it and prints it nowhere (stdout, stderr).

import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli, scratchDir, writeScratch } from './helpers.js';

const VARIABLE = 'LEADROUTE_TEST_SUNPEAK_KEY';
const SECRET = 'sk_live_Q7v"x&y<z>%2Bw';

/** rules/solar-pingpost.route, with SunPeak's ping and post carrying the key. */
function rulesWithSecret(): string {
  const dir = scratchDir();
  mkdirSync(join(dir, 'templates'));
  copyFileSync(join(ROOT, 'rules/templates/solar-post.json.hbs'), join(dir, 'templates/solar-post.json.hbs'));
  const source = readFileSync(join(ROOT, 'rules/solar-pingpost.route'), 'utf8')
    .replace(
      'ping "http://127.0.0.1:17301/ping" timeout 500ms',
      `ping "http://127.0.0.1:17301/ping?key={{secret.${VARIABLE}}}" timeout 500ms header "X-Api-Key" "{{secret.${VARIABLE}}}"`,
    )
    .replace('post "http://127.0.0.1:17301/post"', `post "http://127.0.0.1:17301/post" header "Authorization" "Bearer {{secret.${VARIABLE}}}"`);
  expect(source).toContain(`header "Authorization"`);
  return writeScratch(dir, 'solar-secret.route', source);
}

afterEach(() => {
  delete process.env[VARIABLE];
});

describe('leadroute demo with secrets', () => {
  it('exits 2 naming the buyer and the variable when the environment lacks it', async () => {
    delete process.env[VARIABLE];
    const r = await runCli(['demo', '--rules', rulesWithSecret(), '--ephemeral', '--limit', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`buyer \`SunPeak\` reads {{secret.${VARIABLE}}}, but the environment variable ${VARIABLE} is not set`);
  });

  it('sells with it, and prints it nowhere', async () => {
    process.env[VARIABLE] = SECRET;
    const r = await runCli(['demo', '--rules', rulesWithSecret(), '--ephemeral', '--limit', '12', '--concurrency', '4']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/12 leads: \d+ sold/);
    for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET)]) {
      expect(r.out).not.toContain(form);
      expect(r.err).not.toContain(form);
    }
  });

  it('prints a dry run\'s requests with the secret redacted, in text and in JSON', async () => {
    process.env[VARIABLE] = SECRET;
    const leads = join(ROOT, 'examples/leads.jsonl');
    for (const extra of [[], ['--json']]) {
      const r = await runCli(['sell', rulesWithSecret(), '--dry-run', '--leads', leads, '--at', '2026-11-23T15:00:00Z', '--limit', '6', ...extra]);
      expect(r.code).toBe(0);
      expect(r.out.toLowerCase()).toContain('x-api-key'); // the header is shown...
      expect(r.out).toContain(`[secret ${VARIABLE}]`);
      for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET)]) {
        expect(r.out).not.toContain(form); // ...but not its value
        expect(r.err).not.toContain(form);
      }
    }
  });

  it('`sell` exits 2 naming the variable when the environment lacks it', async () => {
    delete process.env[VARIABLE];
    const r = await runCli(['sell', rulesWithSecret(), '--dry-run', '--leads', join(ROOT, 'examples/leads.jsonl'), '--limit', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`the environment variable ${VARIABLE} is not set`);
  });
});
