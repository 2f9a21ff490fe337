// What the plan verifier asks of a plan's templates (payloads and pixel URLs),
// so a plan written by hand, never checked, cannot do what the checker refuses:
// a template parses, calls only the vocabulary's helpers (no `log`, no
// partials), reads personal data only where `personalDataAllowed` lets it,
// reads a secret only as `secret.NAME` and only where `secretsAllowed` lets it,
// a pixel's host is fixed text, and a request header is one leadroute may set.

import {
  isBlockHelper,
  isTemplateHelper,
  personalDataAllowed,
  SECRET_NAME,
  SECRET_ROOT,
  secretsAllowed,
  TEMPLATE_BLOCK_HELPERS,
  TEMPLATE_HELPER_NAMES,
  type TemplateUseKind,
} from '../core/template-helpers.js';
import { parseTemplateForReading } from '../core/template-parse.js';
import { walkTemplate } from '../core/template-walk.js';
import { hasFixedHost, isTemplatedUrl } from '../core/urls.js';
import { hasControlCharacter, headerNameProblem } from '../core/headers.js';
import type { AnyPlan, PlanHeader } from './declaration.js';
import type { PlanProblem } from './problems.js';

/** Most nodes walked in one template (a template is small; a plan might not be). */
const MAX_TEMPLATE_NODES = 100_000;

const HELPERS = [...TEMPLATE_HELPER_NAMES, ...TEMPLATE_BLOCK_HELPERS].join(', ');

export function templateProblems(plan: AnyPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const personal = new Set(plan.lead.fields.filter((f) => f.pii).map((f) => f.name));
  plan.buyers.forEach((b, i) => {
    const at = `/buyers/${i}`;
    const check = (source: string, use: TemplateUseKind, path: string) => problems.push(...oneTemplate(source, use, path, personal));
    // A ping or post URL with placeholders is a template of its own, its host fixed as a pixel's.
    const url = (u: string | undefined, use: TemplateUseKind, path: string) => {
      if (u === undefined || !isTemplatedUrl(u)) return;
      if (!hasFixedHost(u)) problems.push({ path, message: 'a URL with placeholders needs a fixed host: only its path and query may hold {{…}}' });
      check(u, use, path);
    };
    // A GET sends no body, so it has no body template.
    for (const [which, spec] of [['ping', b.ping], ['post', b.post], ['backupPost', b.backupPost]] as const)
      if (spec?.method === 'GET' && spec.template) problems.push({ path: `${at}/${which}/template`, message: 'a GET request sends no body, so it takes no template' });
    url(b.ping?.url, 'ping', `${at}/ping/url`);
    url(b.post?.url, 'post', `${at}/post/url`);
    url(b.backupPost?.url, 'post', `${at}/backupPost/url`);
    const headers = (list: PlanHeader[] | undefined, use: TemplateUseKind, path: string) =>
      problems.push(...headerProblems(list ?? [], path, (source, p) => isTemplatedUrl(source) && check(source, use, p)));
    headers(b.ping?.headers, 'ping', `${at}/ping/headers`);
    headers(b.post?.headers, 'post', `${at}/post/headers`);
    headers(b.backupPost?.headers, 'post', `${at}/backupPost/headers`);
    if (b.ping?.template) check(b.ping.template.source, 'ping', `${at}/ping/template/source`);
    if (b.post?.template) check(b.post.template.source, 'post', `${at}/post/template/source`);
    if (b.backupPost?.template) check(b.backupPost.template.source, 'post', `${at}/backupPost/template/source`);
    (b.pixels ?? []).forEach((px, j) => {
      const path = `${at}/pixels/${j}/url`;
      if (!hasFixedHost(px.url)) problems.push({ path, message: 'a pixel URL needs a fixed host: only its path and query may hold {{…}}' });
      check(px.url, 'pixel', path);
    });
  });
  return problems;
}

/** A request's headers: names leadroute may set, each once, values on one line (checked as templates by `value`). */
function headerProblems(headers: PlanHeader[], at: string, value: (source: string, path: string) => void): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const seen = new Set<string>();
  headers.forEach((h, i) => {
    const problem = headerNameProblem(h.name);
    if (problem === 'invalid') problems.push({ path: `${at}/${i}/name`, message: `'${h.name}' is not a header name` });
    if (problem === 'reserved') problems.push({ path: `${at}/${i}/name`, message: `the header '${h.name}' is set by the HTTP client, not by hand` });
    if (seen.has(h.name.toLowerCase())) problems.push({ path: `${at}/${i}/name`, message: `the header '${h.name}' is set twice` });
    seen.add(h.name.toLowerCase());
    if (hasControlCharacter(h.value)) problems.push({ path: `${at}/${i}/value`, message: 'a header value holds a line break or a control character' });
    else value(h.value, `${at}/${i}/value`);
  });
  return problems;
}

function oneTemplate(source: string, use: TemplateUseKind, path: string, personal: ReadonlySet<string>): PlanProblem[] {
  const { ast, error } = parseTemplateForReading(source);
  if (ast === undefined) return [{ path, message: `the template does not parse: ${(error as Error).message.split('\n', 1)[0]}` }];
  const problems: PlanProblem[] = [];
  const seen = new Set<string>();
  const once = (message: string) => {
    if (!seen.has(message)) problems.push({ path, message }), seen.add(message);
  };
  walkTemplate(
    ast,
    {
      helper: (p) => {
        const name = String(p.original);
        if (!isTemplateHelper(name) && !isBlockHelper(name)) once(`the template calls '${name}', which is no template helper (the helpers are ${HELPERS})`);
      },
      path: (p, _rooted, local, hashed) => {
        const parts = (p.parts ?? []).map(String);
        const head = p.data && parts[0] === 'root' ? parts.slice(1) : parts;
        if (!local && head[0] === SECRET_ROOT) {
          if (!secretsAllowed(use)) once(`the ${use} template reads a secret; secrets go only in a ping or a post`);
          else if (head.length !== 2 || !SECRET_NAME.test(head[1]!)) once(`the template reads '${head.join('.')}'; a secret is read as secret.NAME (an environment variable's name)`);
          return;
        }
        if (local || head[0] !== 'lead' || head[1] === undefined || !personal.has(head[1])) return;
        if (!personalDataAllowed(use, hashed)) once(`the ${use} template reads personal data: lead.${head[1]}${use === 'pixel' ? ' (a pixel may send it only hashed)' : ''}`);
      },
      unsupported: (_st, what) => once(`the template uses a ${what}; templates have none`),
    },
    MAX_TEMPLATE_NODES,
  );
  return problems;
}
