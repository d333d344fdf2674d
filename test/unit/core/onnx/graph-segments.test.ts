// Oracle: the whole graph run once. Cut into segments (one per layer's module inputs, then the logits) and run
// segment by segment, every wanted output comes out bit-identical (same kernels, optimization disabled), and the
// carry holds only what later segments read.
import * as assert from 'assert';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { indexGraph } from '../../../../src/core/lora/graph-index';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { planSegments } from '../../../../src/core/onnx/graph-segments';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { ModelProto, ValueInfo } from '../../../../src/core/onnx/types';
import { probeTensorInfo } from '../../../../src/core/runtime/probe-tensor-info';
import { openModelSession } from '../../../../src/core/runtime/model-session';
import { runSegmented } from '../../../../src/core/runtime/run-segmented';
import { fixtureFeeds, fixturesDir } from './codec-helpers';

async function runWhole(model: ModelProto, outputs: string[], feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const opened = await openModelSession({ ...model, graph: { ...model.graph, outputs: outputs.map((name) => ({ name })) } }, { device: 'cpu', threads: 1, optimization: 'disabled' });
  try {
    return await opened.session.run(feeds);
  } finally {
    await opened.session.release();
  }
}

describe('graph segments', () => {
  it('tiny-llama cut per layer gives the whole graph’s values, bit for bit', async () => {
    const model = readModelFile(path.join(fixturesDir, 'tiny-llama/model.onnx'));
    const index = indexGraph(model.graph);
    const modules = resolveTargets(model, 'all-linear');
    const layerOf = (name: string) => Number(/layers\.(\d+)\./.exec(name)![1]);
    const inputsOfLayer = (layer: number) => [...new Set(modules.filter((m) => layerOf(m.peftName) === layer).map((m) => index.producer.get(m.output)!.inputs[0]))];
    const groups = [inputsOfLayer(0), inputsOfLayer(1), [model.graph.outputs[0].name]];
    const feeds = fixtureFeeds('tiny-llama');
    const infos = await probeTensorInfo(model, feeds);
    const types = new Map<string, Omit<ValueInfo, 'name'>>([...infos].map(([name, info]) => [name, { elemType: info.dtype, shape: info.shape.map(() => ({})) }]));
    const segments = planSegments(model, groups, types);
    assert.strictEqual(segments.length, 3);
    assert.ok(segments[1].carriedIn.length > 0 && segments[0].carriedOut.length > 0);
    // The carry is what crosses the cut: few values, not every activation.
    assert.ok(segments[0].carriedOut.length < 12, `carried ${segments[0].carriedOut.join(', ')}`);
    const expected = await runWhole(model, groups.flat(), feeds);
    const got = new Map<string, ort.Tensor>();
    await runSegmented(segments, [feeds, feeds], { device: 'cpu', threads: 1, optimization: 'disabled' }, (_, input, outputs) => {
      for (const [name, t] of Object.entries(outputs)) if (input === 1) got.set(name, t);
    });
    for (const name of groups.flat()) {
      assert.deepStrictEqual(Array.from(got.get(name)!.data as Float32Array), Array.from(expected[name].data as Float32Array), name);
    }
    const nodesRun = segments.reduce((s, seg) => s + seg.model.graph.nodes.length, 0);
    assert.ok(nodesRun <= model.graph.nodes.length, 'a node ran twice');
  });

  it('names a wanted output that no node produces', () => {
    const model = readModelFile(path.join(fixturesDir, 'tiny-llama/model.onnx'));
    assert.throws(() => planSegments(model, [['nope']], new Map()), /no node produces the wanted output 'nope'/);
  });
});
