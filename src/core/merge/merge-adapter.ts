// `thanora merge`, end to end: plan the merge, stream the merged weights into <out>/model.onnx, export the PEFT
// adapter (checkpoints), verify merged against unmerged outputs, and write <out>/merge-report.json last, so
// a report on disk means the outputs beside it are complete.
import * as path from 'path';
import { writeJsonAtomic } from '../io/atomic-write';
import { readPeftAdapter } from '../io/peft-adapter';
import { exportHuggingFaceFolder } from '../modelgen/hf-export';
import { Device } from '../runtime/session';
import { readCheckpoint } from './checkpoint-source';
import { MergePlan, attachInitBlocks, planAdapterMerge, weightPatches } from './merge-plan';
import { Verification, verifyMerge } from './merge-verify';
import { BaseModel, WrittenModel, openBaseModel, writeMergedModel } from './merged-model-writer';
import { peftExportOf, writePeftExport } from './peft-export';
import { ProbeBatch, modelVocabSize, probeFromBatchFile, probesFromRunConfig, syntheticProbe } from './probe-batches';

export const MERGED_MODEL_FILE = 'model.onnx';
export const MERGE_REPORT_FILE = 'merge-report.json';

export interface MergeOptions {
  /** Output folder (default: `<run>/merged` or `<checkpoint>/merged`; required for plain adapters). */
  outDir?: string;
  /** Verify on this batch file instead of the run's eval examples. */
  batchFile?: string;
  /** Base model to use instead of the one the checkpoint records (a moved model). */
  baseModel?: string;
  /** Verification runs ONNX Runtime on this device (default cpu: CUDA may use TF32 and blur the check). */
  device?: Device;
  threads?: number;
  /** Default true. Without it the report says so and `pass` is null. */
  verify?: boolean;
  onNotice?: (message: string) => void;
}

export interface MergeReport {
  source: { kind: 'checkpoint' | 'adapter'; path: string; method?: string; step?: number; tasks?: string[] };
  baseModel: string;
  /** huggingFace: the merged model as a Hugging Face folder, for bases made by `thanora import`. */
  outputs: { model: string; dataFiles: string[]; adapter?: string; huggingFace?: string };
  modules: { name: string; initializer: string; stored: string; rank: number; scale: number; residual: boolean }[];
  probes: { source: 'run eval files' | 'batch file' | 'synthetic'; batches: { task: string; rows: number; tokens: number }[] };
  verification: Verification | null;
  pass: boolean | null;
  time: string;
}

export interface MergeOutcome {
  outDir: string;
  report: MergeReport;
  reportFile: string;
}

function moduleRows(plan: MergePlan): MergeReport['modules'] {
  return plan.modules.map((m) => ({
    name: m.module.peftName,
    initializer: m.module.initializer,
    stored: m.module.stored,
    rank: m.trained.rank,
    scale: m.trained.scale,
    residual: m.init !== undefined,
  }));
}

function probeSummary(source: MergeReport['probes']['source'], probes: readonly ProbeBatch[]): MergeReport['probes'] {
  return { source, batches: probes.map((p) => ({ task: p.task, rows: p.batch.batchSize, tokens: p.batch.attentionMask.reduce((s, v) => s + v, 0) })) };
}

async function finish(
  base: { file: string },
  plan: MergePlan,
  written: WrittenModel,
  probes: { source: MergeReport['probes']['source']; batches: ProbeBatch[] },
  partial: Pick<MergeReport, 'source'> & { adapter?: string; huggingFace?: string },
  outDir: string,
  options: MergeOptions,
): Promise<MergeOutcome> {
  const verification =
    options.verify === false
      ? null
      : await verifyMerge({ baseModelFile: base.file, mergedModelFile: written.file, plan, probes: probes.batches, device: options.device, threads: options.threads, onNotice: options.onNotice });
  const report: MergeReport = {
    source: partial.source,
    baseModel: base.file,
    outputs: {
      model: written.file,
      dataFiles: written.dataFiles,
      ...(partial.adapter ? { adapter: partial.adapter } : {}),
      ...(partial.huggingFace ? { huggingFace: partial.huggingFace } : {}),
    },
    modules: moduleRows(plan),
    probes: probeSummary(probes.source, probes.batches),
    verification,
    pass: verification ? verification.pass : null,
    time: new Date().toISOString(),
  };
  const reportFile = path.join(outDir, MERGE_REPORT_FILE);
  writeJsonAtomic(reportFile, report);
  return { outDir, report, reportFile };
}

function chooseProbes(base: BaseModel, options: MergeOptions, runConfigFile?: string): { source: MergeReport['probes']['source']; batches: ProbeBatch[] } {
  if (options.batchFile) return { source: 'batch file', batches: probeFromBatchFile(options.batchFile) };
  if (runConfigFile) {
    const batches = probesFromRunConfig(runConfigFile, modelVocabSize(base.model));
    if (batches.length > 0) return { source: 'run eval files', batches };
  }
  return { source: 'synthetic', batches: [syntheticProbe(base.model)] };
}

/** Merges a run's last checkpoint (or a given checkpoint) and exports its PEFT adapter. */
export async function mergeCheckpoint(input: string, options: MergeOptions = {}): Promise<MergeOutcome> {
  const source = readCheckpoint(input, { baseModel: options.baseModel });
  let base: BaseModel | undefined = openBaseModel(source.baseModelFile);
  const plan = planAdapterMerge(base.model, source.adapter, source.adapter.configFile);
  if (source.init) attachInitBlocks(plan, source.init, path.join(source.checkpointDir, 'init_adapter.safetensors'));
  const probes = options.verify === false ? { source: 'synthetic' as const, batches: [] } : chooseProbes(base, options, source.runConfigFile);
  const outDir = path.resolve(options.outDir ?? source.defaultOutDir);
  const written = writeMergedModel(base, path.join(outDir, MERGED_MODEL_FILE), weightPatches(plan, 'merged'));
  // The base's bytes now hold merged weights and are not needed again: let them go before verification.
  base = undefined;
  writePeftExport(outDir, peftExportOf(plan, source.adapter.config, source.meta));
  const hf = exportHuggingFaceFolder(source.baseModelFile, written.file);
  const { meta } = source;
  return finish(
    { file: source.baseModelFile },
    plan,
    written,
    probes,
    { source: { kind: 'checkpoint', path: source.checkpointDir, method: meta.method, step: meta.step, tasks: meta.tasks }, adapter: outDir, huggingFace: hf?.dir },
    outDir,
    options,
  );
}

/** Merges a plain PEFT adapter folder (adapter_config.json + adapter[_model].safetensors) into `modelFile`. */
export async function mergePeftAdapter(modelFile: string, adapterDir: string, options: MergeOptions & { outDir: string }): Promise<MergeOutcome> {
  const adapter = readPeftAdapter(adapterDir);
  let base: BaseModel | undefined = openBaseModel(path.resolve(modelFile));
  const plan = planAdapterMerge(base.model, adapter, adapter.configFile);
  const probes = options.verify === false ? { source: 'synthetic' as const, batches: [] } : chooseProbes(base, options);
  const outDir = path.resolve(options.outDir);
  const written = writeMergedModel(base, path.join(outDir, MERGED_MODEL_FILE), weightPatches(plan, 'merged'));
  base = undefined;
  const hf = exportHuggingFaceFolder(path.resolve(modelFile), written.file);
  return finish({ file: path.resolve(modelFile) }, plan, written, probes, { source: { kind: 'adapter', path: path.resolve(adapterDir) }, huggingFace: hf?.dir }, outDir, options);
}
