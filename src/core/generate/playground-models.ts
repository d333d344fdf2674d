// What the playground runs: the run an input names (a run folder, or the newest run of a thanora.json), the
// models of that run it can prompt (the merged model, the best checkpoint, every checkpoint), and sessions on
// them. A checkpoint runs as the unmerged model (merge/unmerged-model.ts: the base with its adapter injected),
// so it answers without being merged; the merged model and the base run as plain models.
import * as fs from 'fs';
import * as path from 'path';
import { TextTokenizer, loadTokenizer } from '../data/tokenizer';
import { loadExperiment } from '../experiment/load-experiment';
import { readCheckpoint } from '../merge/checkpoint-source';
import { MERGE_REPORT_FILE, type MergeReport } from '../merge/merge-adapter';
import { MergeInputError } from '../merge/merge-errors';
import { attachInitBlocks, planAdapterMerge } from '../merge/merge-plan';
import { tokenizerSetting } from '../merge/probe-batches';
import { unmergedModel, unmergedValues } from '../merge/unmerged-model';
import { readModelFile } from '../onnx/model-file';
import { checkModelSupport } from '../onnx/runtime-support';
import { declaredLogits } from '../onnx/token-vocabulary';
import { ModelProto } from '../onnx/types';
import { ModelSessionOptions } from '../runtime/model-session';
import { CHECKPOINT_FILES, CheckpointChoice, CheckpointError, findRunFolders, isRunFolder, listCheckpoints, parseCheckpointChoice, readRunStatus } from '../run-folder';
import type { PlaygroundModel } from '../../protocol/playground';
import { RUN_FILES } from '../../protocol/run-events';
import { LogitsSession } from './logits-session';

/** The model to compare with the base: the run's merged model, or one of its checkpoints. */
export type TunedChoice = 'merged' | CheckpointChoice;

export type { PlaygroundModel };

/** An opened model: its session, the adapter values to feed (checkpoints), and what to call it. */
export interface OpenedModel {
  session: LogitsSession;
  values?: ReadonlyMap<string, Float32Array>;
  label: string;
  /** The model file, or the checkpoint folder. */
  path: string;
  /** The base model this one was tuned from. */
  baseModelFile: string;
}

/** 'merged', 'best', 'last', 'step-N' or a bare step number N. */
export function parseTunedChoice(value: string): TunedChoice {
  if (value === 'merged') return 'merged';
  if (/^\d+$/.test(value)) return `step-${Number(value)}`;
  try {
    return parseCheckpointChoice(value);
  } catch (e) {
    throw e instanceof CheckpointError ? new CheckpointError(`${e.message}, a step number, or merged`) : e;
  }
}

/** A run folder as given, or the newest run (by creation) under a thanora.json's output folder. */
export function resolvePlaygroundRun(input: string): string {
  const given = path.resolve(input);
  if (fs.existsSync(given) && fs.statSync(given).isDirectory()) {
    if (!isRunFolder(given)) throw new CheckpointError(`${input} is not a run folder (no ${RUN_FILES.metrics} or ${RUN_FILES.status}); pass a run folder or a thanora.json`);
    return given;
  }
  const config = loadExperiment(given);
  const created = (dir: string) => fs.statSync(path.join(dir, fs.existsSync(path.join(dir, RUN_FILES.config)) ? RUN_FILES.config : '.')).mtimeMs;
  const runs = findRunFolders([config.output], 1).sort((a, b) => created(a) - created(b));
  if (runs.length === 0) throw new CheckpointError(`${input} has no runs yet in ${config.output}; train it first (thanora train ${input})`);
  return runs[runs.length - 1];
}

function mergeReport(runDir: string): MergeReport | undefined {
  const file = path.join(runDir, RUN_FILES.merged, MERGE_REPORT_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as MergeReport) : undefined;
}

function mergedLabel(report: MergeReport): string {
  return `merged model (${report.source.selection ?? `step ${report.source.step}`})`;
}

/** The models of a run the playground offers: merged (when merged), best (when recorded), each checkpoint newest first. */
export function playgroundModels(runDir: string): PlaygroundModel[] {
  const models: PlaygroundModel[] = [];
  const report = mergeReport(runDir);
  if (report) models.push({ choice: 'merged', label: mergedLabel(report) });
  const best = readRunStatus(runDir)?.best;
  if (best) models.push({ choice: 'best', label: `best checkpoint: step ${best.step} (${best.metric} ${best.value.toFixed(3)})` });
  for (const dir of listCheckpoints(runDir).reverse()) {
    const step = Number(/(\d+)$/.exec(dir)![1]);
    models.push({ choice: `step-${step}`, label: `checkpoint step ${step}` });
  }
  return models;
}

/** The run's tokenizer, from its config.json (the resolved experiment). */
export function runTokenizer(runDir: string): TextTokenizer {
  const file = path.join(runDir, RUN_FILES.config);
  if (!fs.existsSync(file)) throw new MergeInputError(`${runDir} has no ${RUN_FILES.config}, so its tokenizer is unknown; pass the run folder \`thanora train\` created`);
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { tokenizer?: unknown };
  return loadTokenizer(tokenizerSetting(config.tokenizer, runDir, file));
}

/** ONNX Runtime can load it, and its logits are [batch, sequence, vocabulary]: a classifier ([batch, classes]) cannot continue a text. */
export function checkGenerative(model: ModelProto, file: string): void {
  checkModelSupport(model, file);
  const logits = declaredLogits(model);
  if (logits?.dims && logits.dims.length !== 3) {
    throw new Error(`${file}: output '${logits.name}' has shape ${logits.shapeText}, not [batch, sequence, vocabulary]: it is not a causal language model (a classifier has [batch, classes]), so it cannot generate text`);
  }
}

export async function openPlainModel(file: string, label: string, options: ModelSessionOptions): Promise<OpenedModel> {
  const model = readModelFile(file);
  checkGenerative(model, file);
  return { session: await LogitsSession.open(model, [], options), label, path: file, baseModelFile: file };
}

async function openCheckpoint(runDir: string, choice: CheckpointChoice | undefined, options: ModelSessionOptions): Promise<OpenedModel> {
  const source = readCheckpoint(runDir, { checkpoint: choice });
  if (source.note) options.onNotice?.(source.note);
  const base = readModelFile(source.baseModelFile);
  checkGenerative(base, source.baseModelFile);
  const plan = planAdapterMerge(base, source.adapter);
  if (source.init) attachInitBlocks(plan, source.init, path.join(source.checkpointDir, CHECKPOINT_FILES.init));
  const unmerged = unmergedModel(base, source.baseModelFile, plan);
  const session = await LogitsSession.open(unmerged.model, unmerged.adapters, { ...options, inlineLimit: unmerged.external ? 0 : undefined }, plan.saved);
  const label = `checkpoint ${source.selection === 'given' ? path.basename(source.checkpointDir) : source.selection}`;
  return { session, values: unmergedValues(unmerged, plan), label, path: source.checkpointDir, baseModelFile: source.baseModelFile };
}

/** A session on the run's merged model or one of its checkpoints (by default its best, else its last). */
export async function openTunedModel(runDir: string, choice: TunedChoice | undefined, options: ModelSessionOptions): Promise<OpenedModel> {
  if (choice !== 'merged') return openCheckpoint(runDir, choice, options);
  const report = mergeReport(runDir);
  if (!report) throw new MergeInputError(`run ${runDir} has no merged model (${RUN_FILES.merged}/${MERGE_REPORT_FILE}); merge it first (thanora merge ${runDir}) or prompt a checkpoint`);
  const opened = await openPlainModel(report.outputs.model, mergedLabel(report), options);
  return { ...opened, baseModelFile: report.baseModel };
}
