// The alert measures are declared once (src/core/alert-metrics.ts): the
// reference's table lists exactly them, with their units and what they need,
// and the checker accepts exactly them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALERT_METRIC_NAMES, ALERT_METRICS, ALERT_UNIT_EXAMPLE, type AlertUnit } from '../../src/core/alert-metrics.js';
import { compile } from '../../src/compile/index.js';

/** The rows of grammar/REFERENCE.md's table of alert measures: name, unit, needs. */
function documentedMeasures(): [string, string, string][] {
  const text = readFileSync(new URL('../../grammar/REFERENCE.md', import.meta.url), 'utf8');
  const start = text.indexOf('| measure | unit | needs |');
  const end = text.indexOf('\n\n', start);
  return text
    .slice(start, end)
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((row) => {
      const [, name, unit, needs] = row.split('|').map((c) => c.trim());
      return [name!.replace(/`/g, ''), unit!, needs!.replace(/`/g, '')];
    });
}

const THRESHOLD: Record<AlertUnit, string> = { rate: '20%', duration: '600ms', money: '$5', count: '3' };

describe('alert measures', () => {
  it('are the rows of the reference table, with their units and needs', () => {
    expect(documentedMeasures()).toEqual(ALERT_METRIC_NAMES.map((n) => [n, ALERT_METRICS[n].unit, ALERT_METRICS[n].source ?? '']));
  });

  it('are accepted by the checker with a threshold in their unit, and refused with any other', () => {
    const units = Object.keys(ALERT_UNIT_EXAMPLE) as AlertUnit[];
    for (const name of ALERT_METRIC_NAMES) {
      for (const unit of units) {
        const source = `lead { id: string }
buyer A { ping "https://a.example/ping" fields id
  bid price "p"
  post "https://a.example/post" accepted "ok" == true }
flow f { route A }
alert X when ${name}(A) > ${THRESHOLD[unit]} over 1h`;
        const codes = compile(source, { file: 'a.route' }).diagnostics.map((d) => d.code);
        expect(codes, `${name} > ${THRESHOLD[unit]}`).toEqual(unit === ALERT_METRICS[name].unit ? [] : ['LR801']);
      }
    }
    expect(compile('lead { id: string }\nbuyer A { price $1 }\nflow f { route A }\nalert X when nosuch > 1 over 1h').diagnostics.map((d) => d.code)).toEqual(['LR800']);
  });
});
