// `:load FILE.jsonl`: route every lead of a file with the session's router
// (its flow, clock, seed and caps; the caps count these leads as they count
// typed ones) and sum up with the `route` command's summary: leads per buyer,
// then why the others were not routed. No HTTP: an auction rule's leads are
// counted as auctions, not sold.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Summary } from '../cli/decisions.js';
import type { Session } from './session.js';

export function loadLeadsFile(session: Session, file: string): string {
  const path = resolve(session.cwd, file);
  if (!existsSync(path)) return `cannot read \`${file}\``;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `cannot read \`${file}\`: ${(err as Error).message}`;
  }
  const summary = new Summary();
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim() === '') return;
    let lead: unknown;
    try {
      lead = JSON.parse(line);
    } catch {
      summary.rejectedLines++;
      badLines.push(i + 1);
      return;
    }
    summary.add(session.route(lead));
  });
  const parts = [summary.format(session.plan, session.color)];
  if (summary.auctions > 0) parts.push(`${summary.auctions} matched an auction rule (not sold here: no HTTP)`);
  if (badLines.length > 0) parts.push(`not JSON: line${badLines.length === 1 ? '' : 's'} ${badLines.slice(0, 10).join(', ')}${badLines.length > 10 ? ', …' : ''}`);
  const reasons = summary.formatReasons();
  if (reasons !== '') parts.push(`not routed, why:\n${reasons}`);
  return parts.join('\n');
}
