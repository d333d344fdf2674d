import * as assert from 'assert';
import { parseWebviewMessage } from '../../../src/views/parse-webview-message';

describe('parseWebviewMessage', () => {
  const known = new Set(['/ws/runs/a', '/ws/runs/b']);

  it('accepts well-formed messages', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready' }, known), { type: 'ready' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'newExperiment' }, known), { type: 'newExperiment' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'mergeRun', runDir: '/ws/runs/a' }, known), { type: 'mergeRun', runDir: '/ws/runs/a' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'deleteRun', runDir: '/ws/runs/b' }, known), { type: 'deleteRun', runDir: '/ws/runs/b' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'setRunNotes', runDir: '/ws/runs/a', name: 'r16', notes: '' }, known), { type: 'setRunNotes', runDir: '/ws/runs/a', name: 'r16', notes: '' });
    const png = { type: 'exportChart', runDir: '/ws/runs/a', chart: 'loss', format: 'png', data: 'iVBORw0KGgo=' };
    assert.deepStrictEqual(parseWebviewMessage(png, known), png);
    const csv = { type: 'exportChart', runDir: '/ws/runs/a', chart: 'allocationHeatmap', format: 'csv', data: 'block,layer,module,rank\n' };
    assert.deepStrictEqual(parseWebviewMessage(csv, known), csv);
    assert.deepStrictEqual(parseWebviewMessage({ type: 'showRuns', runDir: '/ws/runs/a', compareWith: ['/ws/runs/b'] }, known), {
      type: 'showRuns',
      runDir: '/ws/runs/a',
      compareWith: ['/ws/runs/b'],
    });
  });

  it('rejects unknown types, extra fields, wrong types and unlisted folders', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'exec', command: 'rm' },
      { type: 'ready', extra: 1 },
      { type: 'newExperiment', folder: '/etc' },
      { type: 'mergeRun', runDir: '/etc' },
      { type: 'mergeRun', runDir: 42 },
      { type: 'showRuns', runDir: '/ws/runs/a', compareWith: '/ws/runs/b' },
      { type: 'showRuns', runDir: '/ws/runs/a', compareWith: ['/ws/runs/../../etc'] },
      { type: 'showRuns', runDir: '/ws/runs/a' },
      { type: 'deleteRun', runDir: '/ws' },
      { type: 'exportChart', runDir: '/ws/runs/a', chart: 'chart-loss', format: 'csv', data: 'x' },
      { type: 'exportChart', runDir: '/ws/runs/a', chart: 'loss', format: 'svg', data: 'x' },
      { type: 'exportChart', runDir: '/ws/runs/a', chart: 'loss', format: 'png', data: 'not base64!' },
      { type: 'exportChart', runDir: '/ws/runs/a', chart: 'loss', format: 'csv', data: '' },
      { type: 'exportChart', runDir: '/etc', chart: 'loss', format: 'csv', data: 'x' },
      { type: 'setRunNotes', runDir: '/etc', name: 'x', notes: '' },
      { type: 'setRunNotes', runDir: '/ws/runs/a', name: 'x' },
      { type: 'setRunNotes', runDir: '/ws/runs/a', name: 'x'.repeat(201), notes: '' },
      { type: 'setRunNotes', runDir: '/ws/runs/a', name: 1, notes: '' },
    ];
    for (const message of bad) assert.strictEqual(parseWebviewMessage(message, known), undefined, JSON.stringify(message));
  });

  describe('the playground', () => {
    const request = { runDir: '/ws/runs/a', tuned: 'step-800', prompt: 'reverse: stone\n', useChatTemplate: true, decoding: { kind: 'sample', temperature: 0.7, topP: 0.9, seed: 3 }, maxNewTokens: 64 };

    it('accepts a model list request and a generation request as sent', () => {
      assert.deepStrictEqual(parseWebviewMessage({ type: 'listPlaygroundModels', runDir: '/ws/runs/b' }, known), { type: 'listPlaygroundModels', runDir: '/ws/runs/b' });
      assert.deepStrictEqual(parseWebviewMessage({ type: 'generate', requestId: 4, request }, known), { type: 'generate', requestId: 4, request });
      const greedy = { ...request, tuned: 'merged', decoding: { kind: 'greedy' } };
      assert.deepStrictEqual(parseWebviewMessage({ type: 'generate', requestId: 5, request: greedy }, known), { type: 'generate', requestId: 5, request: greedy });
    });

    it('rejects unlisted runs, unknown model choices and settings outside their ranges', () => {
      const bad: unknown[] = [
        { type: 'listPlaygroundModels', runDir: '/etc' },
        { type: 'generate', request },
        { type: 'generate', requestId: 1, request: { ...request, runDir: '/etc' } },
        { type: 'generate', requestId: 1, request: { ...request, tuned: '../../x' } },
        { type: 'generate', requestId: 1, request: { ...request, prompt: '' } },
        { type: 'generate', requestId: 1, request: { ...request, prompt: 'x'.repeat(100_001) } },
        { type: 'generate', requestId: 1, request: { ...request, maxNewTokens: 0 } },
        { type: 'generate', requestId: 1, request: { ...request, maxNewTokens: 5000 } },
        { type: 'generate', requestId: 1, request: { ...request, useChatTemplate: 'yes' } },
        { type: 'generate', requestId: 1, request: { ...request, decoding: { kind: 'sample', temperature: -1, topP: 0.9, seed: 3 } } },
        { type: 'generate', requestId: 1, request: { ...request, decoding: { kind: 'sample', temperature: 1, topP: 0, seed: 3 } } },
        { type: 'generate', requestId: 1, request: { ...request, decoding: { kind: 'sample', temperature: 1, topP: 1, seed: 0.5 } } },
        { type: 'generate', requestId: 1, request: { ...request, decoding: { kind: 'beam' } } },
        { type: 'generate', requestId: 1, request: { ...request, extra: true } },
      ];
      for (const message of bad) assert.strictEqual(parseWebviewMessage(message, known), undefined, JSON.stringify(message).slice(0, 200));
    });
  });
});
