// The estimate extrapolates tiny profiled steps; the oracle is the real step at the asked size, profiled the
// same way (benchLoraStep). Tolerances: matrix-product work 1% (attention is exactly quadratic in s, the rest
// linear), forward activation bytes 5% (ONNX Runtime may pick other kernels at other sizes).
import * as assert from 'assert';
import * as path from 'path';
import { benchLoraStep } from '../../../../src/core/bench/lora-step-bench';
import { estimateTrainingStep } from '../../../../src/core/bench/step-estimate';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { readModelFile } from '../../../../src/core/onnx/model-file';

const fixtures = path.join(__dirname, '../../../../../test/fixtures');

describe('training step estimate', function () {
  this.timeout(180000);

  it('predicts the work and activations of a 3×40 step of tiny-llama from tiny steps', async () => {
    const model = readModelFile(path.join(fixtures, 'tiny-llama/model.onnx'));
    const modules = resolveTargets(model, 'all-linear');
    const common = { modules, rank: 4, alpha: 8, threads: 1, device: 'cpu' as const, vocabSize: 64 };
    const estimate = await estimateTrainingStep(model, { ...common, head: 'causal_lm', batch: 3, seq: 40, sgemmPeakGflops: 50 });
    const real = await benchLoraStep(model, { ...common, batchSize: 3, seqLength: 40, steps: 1, warmup: 1, loadStartedMs: performance.now() });
    assert.ok(Math.abs(estimate.gflopPerStep - real.gflopPerStep) <= 0.01 * real.gflopPerStep, `${estimate.gflopPerStep} vs ${real.gflopPerStep} GFLOP`);
    assert.ok(Math.abs(estimate.activationBytes - real.activationBytes) <= 0.05 * real.activationBytes, `${estimate.activationBytes} vs ${real.activationBytes} bytes`);
    assert.strictEqual(estimate.weightBytes, real.weightBytes);
    assert.ok(estimate.peakBytes > estimate.weightBytes + estimate.activationBytes && estimate.stepMs > 0);
    assert.strictEqual(estimate.warning, undefined);
  });

  it('says when the machine is too small, and what to change', async () => {
    const model = readModelFile(path.join(fixtures, 'tiny-llama/model.onnx'));
    const modules = resolveTargets(model, ['q_proj']);
    // 2⁶⁰-token batches cannot fit anywhere.
    const e = await estimateTrainingStep(model, { modules, rank: 4, alpha: 8, head: 'causal_lm', batch: 2 ** 30, seq: 2 ** 30, threads: 1, device: 'cpu', vocabSize: 64, sgemmPeakGflops: 50 });
    assert.match(e.warning ?? '', /will not fit; lower training\.batchSize or seqLength \(raise training\.gradAccumulation/);
  });
});
