// `thanora doctor <model.onnx> [--targets …] [--rank r]`: what a user needs to know before training.
import { describeModel } from '../../core/lora/model-report';
import { formatModelReport } from '../../core/lora/format-model-report';
import { readModelFile } from '../../core/onnx/model-file';
import { modelSupportProblems } from '../../core/onnx/runtime-support';
import { TRAINING_SUPPORT } from '../../core/train/experiment-setup';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { intOption, parseOptions, targetsOption } from '../parse-options';

export const doctorCommand: CliCommand = {
  summary: 'inspect an ONNX model: inputs, outputs, LoRA targets, gradient-path support',
  usage: 'thanora doctor <model.onnx> [--targets q_proj,v_proj | all-linear] [--rank 8] [--json]',
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      targets: { type: 'string' },
      rank: { type: 'string' },
      json: { type: 'boolean' },
    });
    const file = positionals[0];
    if (!file) throw new UsageError('give the model file');
    const model = readModelFile(file, { loadExternalData: false });
    const report = describeModel(model, targetsOption(values.targets as string | undefined), { rank: intOption(values, 'rank', 8) });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatModelReport(report));
    if (report.gradientPath?.missing.length) process.exitCode = 1;
    for (const problem of modelSupportProblems(model, TRAINING_SUPPORT)) {
      console.error(`thanora doctor: ${file}: ${problem}`);
      process.exitCode = 1;
    }
  },
};
