// `thanora bench`: the training-step benchmark on a preset workload (or any model), optionally side by side
// with transformers + PEFT (and PyTorch 1.13 for bench-llama) in the same run, reported as ratios.
import { benchLoraStep } from '../../core/bench/lora-step-bench';
import { resolveTargets } from '../../core/lora/resolve-targets';
import { readModelFile } from '../../core/onnx/model-file';
import { benchPresets, benchPython, ensureBenchModel } from '../bench/bench-presets';
import { ReferenceTiming, peftReference, torch113Reference } from '../bench/reference-timings';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { deviceOption, intOption, parseOptions, targetsOption } from '../parse-options';

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

export const benchCommand: CliCommand = {
  summary: 'time one LoRA training step (forward, backward, AdamW): ms, GFLOP/s vs SGEMM peak, peak memory, set-up time',
  usage:
    'thanora bench [--preset bench-llama|qwen2-0.5b|qwen2-1.5b | --model M.onnx --targets q_proj,v_proj --rank 16 --vocab V] [--batch B] [--seq S] [--steps 5] [--threads 2] [--device auto|cuda|cpu] [--compare-torch]',
  async run(args) {
    const { values } = parseOptions(args, {
      preset: { type: 'string' },
      model: { type: 'string' },
      targets: { type: 'string' },
      rank: { type: 'string' },
      vocab: { type: 'string' },
      batch: { type: 'string' },
      seq: { type: 'string' },
      steps: { type: 'string' },
      threads: { type: 'string' },
      device: { type: 'string' },
      'compare-torch': { type: 'boolean' },
    });
    const presetName = (values.preset as string | undefined) ?? (values.model ? undefined : 'bench-llama');
    const preset = presetName ? benchPresets[presetName] : undefined;
    if (presetName && !preset) throw new UsageError(`unknown preset '${presetName}'; known: ${Object.keys(benchPresets).join(', ')}`);
    const log = (line: string) => console.error(line);
    const compare = values['compare-torch'] === true && !!preset;
    const python = preset && (compare || !preset.hfOnly) ? benchPython(log) : undefined;
    if (preset && !preset.hfOnly) {
      if (typeof python !== 'string') throw new Error(`the ${presetName} model must be built with Python, but ${python?.error}`);
      ensureBenchModel(preset, python, log);
    }
    const modelFile = (values.model as string | undefined) ?? preset!.model;
    const rank = intOption(values, 'rank', preset?.rank ?? 16);
    const threads = intOption(values, 'threads', preset?.threads ?? 2);
    const steps = intOption(values, 'steps', preset?.batch === 1 || (preset?.vocab ?? 0) > 10000 ? 3 : 10);
    const loadStartedMs = performance.now();
    const model = readModelFile(modelFile);
    const result = await benchLoraStep(model, {
      modules: resolveTargets(model, targetsOption(values.targets as string | undefined) ?? preset?.targets ?? 'all-linear'),
      rank,
      alpha: 2 * rank,
      batchSize: intOption(values, 'batch', preset?.batch ?? 8),
      seqLength: intOption(values, 'seq', preset?.seq ?? 128),
      steps,
      threads,
      device: deviceOption(values),
      vocabSize: intOption(values, 'vocab', preset?.vocab ?? 2),
      loadStartedMs,
      onNotice: log,
    });
    const report: Record<string, unknown> = { preset: presetName, ...result };
    log(
      `ours: ${result.stepMs.toFixed(0)} ms/step, ${result.gflops.toFixed(0)} GFLOP/s = ${(100 * result.fractionOfPeak).toFixed(0)}% of SGEMM peak ${result.sgemmPeakGflops.toFixed(0)}, ` +
        `peak RSS ${gib(result.peakRssBytes)} = ${result.memoryRatio.toFixed(2)} × (weights ${gib(result.weightBytes)} + activations ${gib(result.activationBytes)}), set-up ${result.setupS.toFixed(1)} s`,
    );
    if (compare) {
      const references: ReferenceTiming[] = [];
      if (preset.torch113) references.push(torch113Reference(steps));
      if (typeof python === 'string') {
        ensureBenchModel(preset, python, log);
        references.push(peftReference(python, preset, steps));
      } else {
        references.push({ name: 'transformers + PEFT', runs: [], skipped: python?.error ?? 'no Python' });
      }
      report.references = references.map((r) => ({ ...r, speedup: r.bestStepMs !== undefined ? r.bestStepMs / result.stepMs : undefined }));
      for (const r of references) {
        log(r.bestStepMs !== undefined ? `${r.name}: ${r.bestStepMs.toFixed(0)} ms/step (best of 1, 2 threads) → ours is ${(r.bestStepMs / result.stepMs).toFixed(2)}× faster` : `${r.name}: ${r.skipped ?? r.runs.map((x) => x.error).join('; ')}`);
      }
    }
    console.log(JSON.stringify(report, null, 2));
  },
};
