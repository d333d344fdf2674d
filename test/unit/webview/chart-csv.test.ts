import * as assert from 'assert';
import { chartContent, type BarContent, type LineContent } from '../../../webview/src/chart-content';
import { chartCsv } from '../../../webview/src/chart-csv';
import { viewRun } from '../../../webview/src/run-series';
import { syntheticRunEvents } from '../../support/synthetic-run';

describe('chart-csv: Export CSV of a chart', () => {
  const events = syntheticRunEvents({ runId: 't', steps: 40, tasks: ['copy', 'reverse'], evalEvery: 20 });
  const content = chartContent([{ label: 'thanora', view: viewRun(events) }]);

  it('a line chart in long form: one row per point with its series, x and the raw value', () => {
    const evals = events.filter((e) => e.type === 'eval');
    const csv = chartCsv(content.eval).trimEnd().split('\n');
    assert.strictEqual(csv[0], 'series,step,eval accuracy');
    // Every eval of every task, with the accuracy as recorded.
    const expected = evals.flatMap((e) => e.tasks.map((t) => `${t.task},${e.step},${t.accuracy}`));
    assert.deepStrictEqual([...csv.slice(1)].sort(), [...expected].sort());
    assert.strictEqual(csv.length - 1, (content.eval as LineContent).series.reduce((n, s) => n + s.points.length, 0));
  });

  it('leaves out the series hidden in the legend and quotes fields with commas and quotes', () => {
    const loss = content.taskLoss as LineContent;
    const csv = chartCsv(loss, new Set([loss.series[0].key]));
    assert.ok(!csv.includes('\ncopy,'), 'the hidden task is not exported');
    assert.ok(csv.includes('\nreverse,1,'));
    const odd: LineContent = { kind: 'line', series: [{ key: 'k', label: 'a, "b"', points: [{ x: 1, y: 2 }], color: 0, dash: 0 }], xTitle: 'step', yTitle: 'y' };
    assert.strictEqual(chartCsv(odd), 'series,step,y\n"a, ""b""",1,2\n');
  });

  it('the allocation: a row per module, a rank column per task and the cooperative block', () => {
    const bars = (content.allocation as BarContent).bars!;
    const csv = chartCsv(content.allocation).trimEnd().split('\n');
    assert.strictEqual(csv[0], 'module,copy rank,reverse rank,cooperative rank');
    assert.strictEqual(csv.length - 1, bars.modules.length);
    assert.strictEqual(csv[1], [bars.modules[0], ...bars.segments.map((s) => s.ranks[0])].join(','));
  });
});
