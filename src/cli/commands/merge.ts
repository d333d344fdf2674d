// `thanora merge`: a run (its best checkpoint, or --checkpoint last|step-N) or a checkpoint → merged ONNX model + PEFT adapter + report;
// or `--model M.onnx --adapter DIR` for a PEFT adapter trained elsewhere. Exits 1 when verification fails.
import { MergeOutcome, mergeCheckpoint, mergePeftAdapter } from '../../core/merge/merge-adapter';
import { MergeError } from '../../core/merge/merge-errors';
import { CheckpointChoice, CheckpointError, parseCheckpointChoice } from '../../core/run-folder';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { deviceOption, parseOptions, requireString, threadsOption } from '../parse-options';

function printOutcome(outcome: MergeOutcome): void {
  const { report } = outcome;
  if (report.source.kind === 'checkpoint') console.log(`checkpoint: ${report.source.path}, ${report.source.selection}`);
  console.log(`merged ${report.modules.length} modules into ${report.outputs.model}`);
  if (report.outputs.adapter) console.log(`PEFT adapter (against the original base): ${report.outputs.adapter}`);
  if (report.outputs.huggingFace) console.log(`Hugging Face folder (merged weights, config, tokenizer): ${report.outputs.huggingFace}`);
  const v = report.verification;
  if (!v) {
    console.log('verification skipped (--no-verify)');
  } else {
    for (const c of v.comparisons) {
      const effect = c.adapterEffect.toExponential(1);
      console.log(`  ${c.task.padEnd(16)} ${c.output}: relative diff ${c.relativeDiff.toExponential(2)} (max-abs ${c.maxAbsDiff.toExponential(2)}, adapter effect ${effect}) ${c.pass ? 'ok' : 'FAIL'}`);
    }
    console.log(`verification (${report.probes.source}, tolerance ${v.tolerance.relative} relative): ${v.pass ? 'pass' : 'FAIL'}`);
  }
  console.log(`report: ${outcome.reportFile}`);
}

function checkpointOption(value: string): CheckpointChoice {
  try {
    return parseCheckpointChoice(value);
  } catch (e) {
    throw e instanceof CheckpointError ? new UsageError(`--checkpoint: ${e.message}`) : e;
  }
}

export const mergeCommand: CliCommand = {
  summary: 'merge a trained adapter into the base ONNX model and export it for Hugging Face PEFT',
  usage:
    'thanora merge <run-dir | checkpoint-dir> [--checkpoint best|last|step-N] [--out DIR] [--model M.onnx] [--batch B.json] [--device auto|cuda|cpu] [--threads N] [--no-verify]\n' +
    '       thanora merge --model M.onnx --adapter DIR --out DIR [--batch B.json] [--device auto|cuda|cpu] [--threads N] [--no-verify]',
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      out: { type: 'string' },
      checkpoint: { type: 'string' },
      model: { type: 'string' },
      adapter: { type: 'string' },
      batch: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      'no-verify': { type: 'boolean' },
    });
    if (positionals.length > 1) throw new UsageError(`expected one run or checkpoint folder, got ${positionals.length}: ${positionals.join(' ')}`);
    const options = {
      outDir: values.out as string | undefined,
      batchFile: values.batch as string | undefined,
      device: values.device === undefined ? ('cpu' as const) : deviceOption(values),
      threads: threadsOption(values),
      verify: !values['no-verify'],
      onNotice: (m: string) => console.error(m),
    };
    let outcome: MergeOutcome;
    if (values.adapter !== undefined) {
      if (values.checkpoint !== undefined) throw new UsageError('--checkpoint chooses among a run folder\'s checkpoints; it does not apply to --adapter');
      if (positionals.length > 0) throw new UsageError(`give either a run/checkpoint folder or --adapter, not both`);
      outcome = await mergePeftAdapter(requireString(values, 'model'), values.adapter as string, { ...options, outDir: requireString(values, 'out') });
    } else {
      if (positionals.length === 0) throw new UsageError('give a run or checkpoint folder, or --model and --adapter');
      const checkpoint = values.checkpoint === undefined ? undefined : checkpointOption(values.checkpoint as string);
      outcome = await mergeCheckpoint(positionals[0], { ...options, checkpoint, baseModel: values.model as string | undefined });
    }
    printOutcome(outcome);
    const v = outcome.report.verification;
    if (v && !v.pass) {
      throw new MergeError(`verification failed: merged outputs differ from base+adapter by ${v.maxRelativeDiff.toExponential(2)} relative (tolerance ${v.tolerance.relative}); see ${outcome.reportFile}`);
    }
  },
};
