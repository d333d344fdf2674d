// `thanora doctor <model.onnx> [--targets …] [--rank r] [--batch b --seq s]`: what a user needs to know before
// training, and everything training would fail on: a runtime too old for the model's IR or opset, missing
// external data (reading the model checks it), an op on the gradient path without a rule (with the default
// targets, all-linear, when none are given), an export that returns one position's logits. With a batch
// shape it also predicts the step's peak memory and time from a few profiled tiny steps.
import { estimateTrainingStep, weightBytesAsHeld } from '../../core/bench/step-estimate';
import { allTensorBytes } from '../../core/onnx/external-data';
import { formatModelReport } from '../../core/lora/format-model-report';
import { describeModel } from '../../core/lora/model-report';
import { singlePositionLogitsProblem } from '../../core/onnx/export-checks';
import { readModelFile } from '../../core/onnx/model-file';
import { modelSupportProblems } from '../../core/onnx/runtime-support';
import { declaredLogits, inputIdsVocabulary } from '../../core/onnx/token-vocabulary';
import { TRAINING_SUPPORT } from '../../core/train/experiment-setup';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { deviceOption, intOption, parseOptions, targetsOption, threadsOption } from '../parse-options';

const gib = (bytes: number) => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

export const doctorCommand: CliCommand = {
  summary: 'inspect an ONNX model: inputs, outputs, LoRA targets, gradient-path support, what training would fail on',
  usage:
    'thanora doctor <model.onnx> [--targets q_proj,v_proj | all-linear] [--rank 8] [--batch B --seq S [--threads N] [--device auto|cuda|cpu]] [--json]',
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      targets: { type: 'string' },
      rank: { type: 'string' },
      batch: { type: 'string' },
      seq: { type: 'string' },
      threads: { type: 'string' },
      device: { type: 'string' },
      json: { type: 'boolean' },
    });
    const file = positionals[0];
    if (!file) throw new UsageError('give the model file');
    if ((values.batch === undefined) !== (values.seq === undefined)) throw new UsageError('give --batch and --seq together to estimate a training step');
    const model = readModelFile(file, { loadExternalData: false });
    const problems = modelSupportProblems(model, TRAINING_SUPPORT);
    const targets = targetsOption(values.targets as string | undefined) ?? 'all-linear';
    const rank = intOption(values, 'rank', 8);
    const report = describeModel(model, targets, { rank });
    const logits = declaredLogits(model);
    const head = logits?.dims?.length === 2 ? 'sequence_classification' : 'causal_lm';
    const onePosition = singlePositionLogitsProblem(model);
    if (onePosition) problems.push(onePosition);
    let estimate;
    if (values.batch !== undefined && !problems.length) {
      estimate = await estimateTrainingStep(model, {
        modules: report.targets!.modules,
        rank,
        alpha: 2 * rank,
        head,
        batch: intOption(values, 'batch', 1),
        seq: intOption(values, 'seq', 1),
        vocabSize: inputIdsVocabulary(model) ?? 2,
        threads: threadsOption(values),
        device: deviceOption(values),
        onNotice: (m) => console.error(m),
      });
    }
    if (values.json) console.log(JSON.stringify({ ...report, defaultTargets: values.targets === undefined, problems, estimate }, null, 2));
    else {
      if (values.targets === undefined) console.log('Targets not given: checking the default, all-linear (the output head excluded).');
      console.log(formatModelReport(report));
      const [stored, held] = [allTensorBytes(model), weightBytesAsHeld(model)];
      const widened = held > stored ? ' (float16/bfloat16 weights are computed in float32 on the CPU)' : '';
      console.log(`Weights: ${gib(stored)} in the file, ${gib(held)} as an ONNX Runtime session holds them${widened}; the adapter and AdamW state stay float32`);
      if (estimate) {
        console.log(
          `Training step ${estimate.batch}×${estimate.seq}: about ${Math.round(estimate.stepMs)} ms, peak ${gib(estimate.peakBytes)} ` +
            `(weights ${gib(estimate.weightBytes)} as a session holds them, activations ${gib(estimate.activationBytes)}, adapter + AdamW ${gib(estimate.adapterStateBytes)}); ` +
            `${estimate.gflopPerStep.toFixed(1)} GFLOP at ${estimate.sgemmPeakGflops.toFixed(0)} GFLOP/s measured SGEMM`,
        );
        if (estimate.warning) console.log(`Warning: ${estimate.warning}`);
      }
    }
    if (report.gradientPath?.missing.length) process.exitCode = 1;
    for (const problem of problems) {
      console.error(`thanora doctor: ${file}: ${problem}`);
      process.exitCode = 1;
    }
  },
};
