import * as assert from 'assert';
import type { RunEvent } from '../../../src/protocol/run-events';
import { chartContent, type LineContent } from '../../../webview/src/chart-content';
import { allocationGrid } from '../../../webview/src/allocation-series';
import { describeProgress, extendView, lossSeries, minutesAtStep, perTaskLossSeries, viewRun } from '../../../webview/src/run-series';
import { syntheticRunEvents } from '../../support/synthetic-run';

const time = '2025-01-01T00:00:00.000Z';
const line = (c: ReturnType<typeof chartContent>[keyof ReturnType<typeof chartContent>]) => c as LineContent;

describe('run-series: events → chart data', () => {
  it('a resumed run repeats steps after its checkpoint: the later record of a step wins, steps stay sorted', () => {
    const first = syntheticRunEvents({ runId: 'r', steps: 10, upToStep: 6 });
    const again = syntheticRunEvents({ runId: 'r', steps: 10, lossScale: 2 }).filter((e) => e.type === 'start' || (e.type === 'step' && e.step > 4));
    const view = viewRun([...first, { type: 'end', step: 6, time, state: 'interrupted' }, ...again]);
    assert.deepStrictEqual(view.steps.map((s) => s.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const resumedFive = again.find((e) => e.type === 'step' && e.step === 5);
    assert.strictEqual(view.steps[4], resumedFive);
    assert.strictEqual(view.end, undefined, 'the interrupted end no longer describes the resumed run');
  });

  it('skips the steps a task was absent from in its loss series', () => {
    const events = syntheticRunEvents({ runId: 'r', steps: 3 }).map((e) => (e.type === 'step' && e.step === 2 ? { ...e, perTaskLoss: [e.perTaskLoss[0], null] } : e));
    assert.deepStrictEqual(perTaskLossSeries(viewRun(events)).map((s) => s.points.map((p) => p.x)), [[1, 2, 3], [1, 3]]);
  });

  it('phases describe the run until its first step; older runs without phases read as starting', () => {
    const start = syntheticRunEvents({ runId: 'r', steps: 100, upToStep: 0 });
    const preparing = viewRun([{ type: 'phase', phase: 'init', done: 3, total: 12, time }]);
    assert.deepStrictEqual(describeProgress(preparing), { text: 'preparing: initialising the adapters (SVDs, rank allocation) 3/12', value: 3, max: 12, waiting: 'Preparing the run: initialising the adapters (SVDs, rank allocation) 3/12.' });
    const evaluating = viewRun([...start, { type: 'phase', phase: 'eval', done: 0, total: 1, time }]);
    assert.match(describeProgress(evaluating).text, /^preparing: evaluating before the first step · step 0\/100$/);
    assert.match(describeProgress(viewRun(start)).text, /^starting: step 0\/100$/);
    const stepped = viewRun([...start, { type: 'phase', phase: 'first-step', done: 0, total: 1, time }, ...syntheticRunEvents({ runId: 'r', steps: 100, upToStep: 1 }).filter((e) => e.type === 'step')]);
    assert.strictEqual(stepped.phase, undefined);
    assert.match(describeProgress(stepped).text, /^running: step 1\/100/);
    assert.match(describeProgress(stepped, 'stopped').text, /^stopped: step 1\/100$/, 'the host\'s status wins over a run that stopped writing');
  });
});

describe('extendView: live events applied to a run\'s view', () => {
  const all = syntheticRunEvents({ runId: 'r', steps: 40, evalEvery: 10 });
  const at = (step: number) => all.findIndex((e) => e.type === 'step' && e.step === step);

  it('appends in place, and the view and its series equal those of all the events', () => {
    const events = all.slice(0, at(20));
    const view = viewRun(events);
    const before = lossSeries(view).total;
    const added = all.slice(at(20));
    const extended = extendView(view, added, [...events, ...added]);
    assert.strictEqual(extended, view, 'extended in place');
    const whole = viewRun(all);
    assert.deepStrictEqual(extended, whole);
    assert.strictEqual(lossSeries(extended).total, before, 'the cached series grew');
    assert.deepStrictEqual(lossSeries(extended), lossSeries(whole));
    assert.deepStrictEqual(perTaskLossSeries(extended), perTaskLossSeries(whole));
  });

  it('a repeated step (a resumed session) or a new phase rebuilds the view from all the events', () => {
    const events = all.slice(0, at(20));
    const view = viewRun(events);
    lossSeries(view);
    const again = syntheticRunEvents({ runId: 'r', steps: 40, lossScale: 2 }).filter((e) => e.type === 'step' && e.step > 15);
    const rebuilt = extendView(view, again, [...events, ...again]);
    assert.notStrictEqual(rebuilt, view);
    assert.deepStrictEqual(rebuilt, viewRun([...events, ...again]));
    assert.strictEqual(lossSeries(rebuilt).total.find((p) => p.x === 16)?.y, (again[0] as { loss: number }).loss, 'the later record of step 16 wins');
    const phase: RunEvent = { type: 'phase', phase: 'graph', done: 0, total: 1, time };
    assert.strictEqual(extendView(viewRun(events), [phase], [...events, phase]).phase, phase);
  });
});

describe('allocationGrid: the allocation as layer × module heatmaps', () => {
  it('places each module\'s r_t and r_c at its layer and kind; a layer without that module is an empty cell', () => {
    // Synthetic ranks: module m (layer ⌊m/2⌋, q then v) has r_0 = 2 + m mod 3, r_1 = 6 − r_0, r_c = 2.
    const events = syntheticRunEvents({ runId: 't', steps: 2, tasks: ['copy', 'reverse'] }).map((e) =>
      e.type === 'allocation' ? { ...e, modules: e.modules.filter((m) => m.module !== 'model.layers.1.self_attn.v_proj') } : e,
    );
    const grid = allocationGrid(viewRun(events))!;
    assert.deepStrictEqual(grid.layers, [0, 1]);
    assert.deepStrictEqual(grid.kinds, ['self_attn.q_proj', 'self_attn.v_proj']);
    assert.deepStrictEqual(grid.grids, [
      { name: 'copy', ranks: [[2, 3], [4, null]] },
      { name: 'reverse', ranks: [[4, 3], [2, null]] },
      { name: 'cooperative', ranks: [[2, 2], [2, null]] },
    ]);
    assert.strictEqual(grid.maxRank, 4);
    assert.strictEqual(allocationGrid(viewRun(syntheticRunEvents({ runId: 'l', method: 'lora', steps: 2 }))), undefined);
  });
});

describe('chart-content: what each chart shows, or why not', () => {
  const thanora = { label: 'thanora', view: viewRun(syntheticRunEvents({ runId: 't', steps: 60, tasks: ['a', 'b', 'c', 'd'] })) };
  const lora = { label: 'lora', view: viewRun(syntheticRunEvents({ runId: 'l', method: 'lora', steps: 60 })) };

  it('LoRA has no task blocks: allocation and angles say so instead of drawing empty axes', () => {
    const content = chartContent([lora]);
    for (const id of ['allocation', 'allocationHeatmap', 'anglesSteps', 'anglesLayers'] as const) assert.match(content[id].empty ?? '', /^LoRA has no task blocks/);
    assert.strictEqual(content.loss.empty, undefined);
    assert.deepStrictEqual(line(content.loss).series.map((s) => s.label), ['total'], 'without SPR the total is the task loss: one line');
  });

  it('colours follow the task, dashes the run; each of the six pairs of four tasks its own colour', () => {
    const content = chartContent([thanora, { ...lora, view: viewRun(syntheticRunEvents({ runId: 'l', method: 'lora', steps: 60, tasks: ['a', 'b', 'c', 'd'] })) }]);
    const taskLoss = line(content.taskLoss).series;
    assert.deepStrictEqual(taskLoss.map((s) => [s.label, s.color, s.dash]), [
      ['thanora: a', 0, 0], ['thanora: b', 1, 0], ['thanora: c', 2, 0], ['thanora: d', 3, 0],
      ['lora: a', 0, 1], ['lora: b', 1, 1], ['lora: c', 2, 1], ['lora: d', 3, 1],
    ]);
    const perLayer = line(content.anglesLayers).series;
    assert.strictEqual(perLayer.length, 12);
    assert.deepStrictEqual([...new Set(perLayer.map((s) => s.color))].sort(), [0, 1, 2, 3, 4, 5]);
    assert.ok(perLayer.every((s) => s.dash === (s.label.endsWith('(B)') ? 1 : 0)), 'A solid, B dashed');
    assert.strictEqual(line(content.anglesLayers).yTitle, 'angle at step 60 (°)');
  });

  it('the step axis runs from 0 to the furthest step reached, so one early eval is no −1…1 axis', () => {
    const early = { label: 'early', view: viewRun(syntheticRunEvents({ runId: 'e', steps: 2400, upToStep: 25, evalEvery: 20 })) };
    const evalChart = line(chartContent([early]).eval);
    assert.deepStrictEqual(evalChart.series.map((s) => s.points.length), [1, 1]);
    assert.deepStrictEqual([evalChart.xMin, evalChart.xMax], [0, 25]);
  });

  it('wall time: minutes since the first step began; evals at their step\'s time; the layer chart keeps layers', () => {
    // Synthetic steps are 0.5 s apart with stepMs 120 ms: step k ends at 0.5·k s, the clock starts at 0.5 − 0.12 s.
    const view = viewRun(syntheticRunEvents({ runId: 't', steps: 60, evalEvery: 20 }));
    const minutes = minutesAtStep(view);
    assert.ok(Math.abs(minutes(0)!) < 1e-12);
    assert.ok(Math.abs(minutes(1)! - 0.12 / 60) < 1e-9);
    assert.ok(Math.abs(minutes(60)! - (30 - 0.38) / 60) < 1e-9);
    assert.strictEqual(minutes(61), undefined);
    const timed = chartContent([{ label: 't', view }], undefined, 'time');
    const evalChart = line(timed.eval);
    assert.strictEqual(evalChart.xTitle, 'minutes');
    assert.deepStrictEqual(evalChart.series[0].points.map((p) => +(p.x * 60).toFixed(6)), [9.62, 19.62, 29.62]);
    assert.ok(Math.abs(evalChart.xMax! - (30 - 0.38) / 60) < 1e-9);
    assert.strictEqual(line(timed.anglesLayers).xTitle, 'layer');
  });

  it('a run still preparing: the step charts wait with its phase, the allocation says when it comes', () => {
    const preparing: RunEvent[] = [{ type: 'phase', phase: 'preview', done: 1, total: 4, time }];
    const content = chartContent([{ label: 'p', view: viewRun(preparing) }], 'Preparing the run: preview passes 1/4.');
    assert.strictEqual(content.loss.empty, 'Preparing the run: preview passes 1/4.');
    assert.match(content.allocation.empty ?? '', /HASI allocates the ranks after the preview/);
    assert.match(chartContent([]).loss.empty ?? '', /No run selected/);
  });
});
