// `thanora merge`, end to end: plan the merge, stream the merged weights into <out>/model.onnx, export the PEFT
// adapter (checkpoints), verify merged against unmerged outputs, and write <out>/merge-report.json last; the
// folder is committed as one unit (merge-output.ts), so a report on disk describes the files beside it.
import * as path from 'path';
import { writeJsonAtomic } from '../io/atomic-write';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, readPeftAdapter } from '../io/peft-adapter';
import { exportHuggingFaceFolder, HfExport } from '../modelgen/hf-export';
import { MERGE_REPORT_FILE, MERGED_MODEL_FILE, OutputFile, StagedOutput, describeOutputFiles, writeMergeOutput } from './merge-output';
import { Device } from '../runtime/session';
import { readCheckpoint } from './checkpoint-source';
import type { CheckpointChoice } from '../run-folder';
import { MergePlan, attachInitBlocks, planAdapterMerge, weightPatches } from './merge-plan';
import { Verification, verifyMerge } from './merge-verify';
import { BaseModel, WrittenModel, openBaseModel, writeMergedModel } from './merged-model-writer';
import { peftExportOf, writePeftExport } from './peft-export';
import { inputIdsVocabulary } from '../onnx/token-vocabulary';
import { ProbeBatch, probeFromBatchFile, probesFromRunConfig, syntheticProbe } from './probe-batches';

export { MERGED_MODEL_FILE, MERGE_REPORT_FILE };

export interface MergeOptions {
  /** Output folder (default: `<run>/merged` or `<checkpoint>/merged`; required for plain adapters). */
  outDir?: string;
  /** Verify on this batch file instead of the run's eval examples. */
  batchFile?: string;
  /** Which checkpoint of a run folder (default: its best, else its last; run-folder/locate-checkpoint.ts). */
  checkpoint?: CheckpointChoice;
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
  /** selection: which checkpoint of the run was merged ("best by mean-accuracy (…)", "last", "step N", "given"). */
  source: { kind: 'checkpoint' | 'adapter'; path: string; method?: string; step?: number; tasks?: string[]; selection?: string };
  baseModel: string;
  /**
   * Final paths; `files` lists every file beside the report with its size and SHA-256, as written. huggingFace:
   * the merged model as a Hugging Face folder, for bases made by `thanora import`.
   */
  outputs: { model: string; dataFiles: string[]; adapter?: string; huggingFace?: string; files: OutputFile[] };
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
  partial: Pick<MergeReport, 'source'> & { adapterFiles?: string[]; huggingFace?: HfExport },
  out: StagedOutput,
  options: MergeOptions,
): Promise<MergeOutcome> {
  const verification =
    options.verify === false
      ? null
      : await verifyMerge({ baseModelFile: base.file, mergedModelFile: written.file, plan, probes: probes.batches, device: options.device, threads: options.threads, onNotice: options.onNotice });
  const hfFiles = partial.huggingFace ? partial.huggingFace.files.map((f) => path.join(partial.huggingFace!.dir, f)) : [];
  const files = describeOutputFiles(out.staging, [written.file, ...written.dataFiles, ...(partial.adapterFiles ?? []), ...hfFiles]);
  const report: MergeReport = {
    source: partial.source,
    baseModel: base.file,
    outputs: {
      model: out.finalPath(written.file),
      dataFiles: written.dataFiles.map(out.finalPath),
      ...(partial.adapterFiles ? { adapter: out.final } : {}),
      ...(partial.huggingFace ? { huggingFace: out.finalPath(partial.huggingFace.dir) } : {}),
      files,
    },
    modules: moduleRows(plan),
    probes: probeSummary(probes.source, probes.batches),
    verification,
    pass: verification ? verification.pass : null,
    time: new Date().toISOString(),
  };
  writeJsonAtomic(path.join(out.staging, MERGE_REPORT_FILE), report);
  return { outDir: out.final, report, reportFile: path.join(out.final, MERGE_REPORT_FILE) };
}

function chooseProbes(base: BaseModel, options: MergeOptions, runConfigFile?: string): { source: MergeReport['probes']['source']; batches: ProbeBatch[] } {
  if (options.batchFile) return { source: 'batch file', batches: probeFromBatchFile(options.batchFile, base.model) };
  if (runConfigFile) {
    const batches = probesFromRunConfig(runConfigFile, inputIdsVocabulary(base.model));
    if (batches.length > 0) return { source: 'run eval files', batches };
  }
  return { source: 'synthetic', batches: [syntheticProbe(base.model)] };
}

/** Merges a run's last checkpoint (or a given checkpoint) and exports its PEFT adapter. */
export async function mergeCheckpoint(input: string, options: MergeOptions = {}): Promise<MergeOutcome> {
  const source = readCheckpoint(input, { baseModel: options.baseModel, checkpoint: options.checkpoint });
  if (source.note) options.onNotice?.(source.note);
  let base: BaseModel | undefined = openBaseModel(source.baseModelFile);
  const plan = planAdapterMerge(base.model, source.adapter, source.adapter.configFile);
  if (source.init) attachInitBlocks(plan, source.init, path.join(source.checkpointDir, 'init_adapter.safetensors'));
  const probes = options.verify === false ? { source: 'synthetic' as const, batches: [] } : chooseProbes(base, options, source.runConfigFile);
  const outDir = path.resolve(options.outDir ?? source.defaultOutDir);
  return writeMergeOutput(outDir, { 'base model': source.baseModelFile, checkpoint: source.checkpointDir }, async (out) => {
    const written = writeMergedModel(base!, path.join(out.staging, MERGED_MODEL_FILE), weightPatches(plan, 'merged'));
    // The base's bytes now hold merged weights and are not needed again: let them go before verification.
    base = undefined;
    writePeftExport(out.staging, peftExportOf(plan, source.adapter.config, source.meta));
    const huggingFace = exportHuggingFaceFolder(source.baseModelFile, written.file);
    const { meta } = source;
    return finish(
      { file: source.baseModelFile },
      plan,
      written,
      probes,
      {
        source: { kind: 'checkpoint', path: source.checkpointDir, method: meta.method, step: meta.step, tasks: meta.tasks, selection: source.selection },
        adapterFiles: [ADAPTER_WEIGHTS_FILE, ADAPTER_CONFIG_FILE].map((f) => path.join(out.staging, f)),
        huggingFace,
      },
      out,
      options,
    );
  });
}

/** Merges a plain PEFT adapter folder (adapter_config.json + adapter[_model].safetensors) into `modelFile`. */
export async function mergePeftAdapter(modelFile: string, adapterDir: string, options: MergeOptions & { outDir: string }): Promise<MergeOutcome> {
  const adapter = readPeftAdapter(adapterDir);
  let base: BaseModel | undefined = openBaseModel(path.resolve(modelFile));
  const plan = planAdapterMerge(base.model, adapter, adapter.configFile);
  const probes = options.verify === false ? { source: 'synthetic' as const, batches: [] } : chooseProbes(base, options);
  return writeMergeOutput(path.resolve(options.outDir), { 'base model': path.resolve(modelFile), adapter: path.resolve(adapterDir) }, async (out) => {
    const written = writeMergedModel(base!, path.join(out.staging, MERGED_MODEL_FILE), weightPatches(plan, 'merged'));
    base = undefined;
    const huggingFace = exportHuggingFaceFolder(path.resolve(modelFile), written.file);
    return finish({ file: path.resolve(modelFile) }, plan, written, probes, { source: { kind: 'adapter', path: path.resolve(adapterDir) }, huggingFace }, out, options);
  });
}
