// Everything a run needs from the experiment file before the method is initialised: the validated config,
// tokenizer, tokenized task data, base model, target modules and the step count.
import { PhaseReporter } from './phase-recorder';
import { loadTaskData, LoadedTaskData } from '../data/load-task-data';
import { stepsForEpochs } from '../data/task-mixer';
import { loadTokenizer, TextTokenizer } from '../data/tokenizer';
import { ExperimentConfig, LoraTargets } from '../experiment/experiment-config';
import { experimentIssue, loadExperiment } from '../experiment/load-experiment';
import { ResolvedModule } from '../lora/linear-modules';
import { SavedParam } from '../lora/modules-to-save';
import { TargetSpec, resolveTargets } from '../lora/resolve-targets';
import { LOSS_MIN_OPSET } from '../loss/loss-head';
import { readModelFile } from '../onnx/model-file';
import { checkModelSupport, SupportRequirements } from '../onnx/runtime-support';
import { singlePositionLogitsProblem } from '../onnx/export-checks';
import { declaredLogits, inputIdsVocabulary } from '../onnx/token-vocabulary';
import { ModelProto } from '../onnx/types';
import { experimentModulesToSave } from './experiment-modules-to-save';
import { TaskHead } from './lora-training-graph';

export interface ExperimentSetup {
  config: ExperimentConfig;
  tokenizer: TextTokenizer;
  data: LoadedTaskData;
  model: ModelProto;
  modules: ResolvedModule[];
  /** Parameters of the modules trained in full (lora.modulesToSave). */
  saved: SavedParam[];
  head: TaskHead;
  totalSteps: number;
  vocabSize?: number;
}

export function targetSpecOf(targets: LoraTargets): TargetSpec {
  if (targets.kind === 'all-linear') return 'all-linear';
  if (targets.kind === 'suffixes') return targets.suffixes;
  return Object.fromEntries(
    Object.entries(targets.modules).map(([name, e]) => [name, { initializer: e.initializer, node: e.node ?? '', op: e.op, stored: e.stored }]),
  ) as TargetSpec;
}

/** What training adds to a model (the loss head) needs of its opset, on top of what ONNX Runtime loads. */
export const TRAINING_SUPPORT: SupportRequirements = { minOpset: { version: LOSS_MIN_OPSET, why: 'training (its loss is SoftmaxCrossEntropyLoss)' } };

/** r ≤ min(d_in, d_out) for every target: a rank-r update of a d_out × d_in weight has at most that many directions. */
function checkRankFits(cfg: ExperimentConfig, modules: readonly ResolvedModule[]): void {
  const { r } = cfg.lora;
  const narrow = modules.filter((m) => r > Math.min(m.dIn, m.dOut));
  if (narrow.length === 0) return;
  const widest = Math.min(...narrow.map((m) => Math.min(m.dIn, m.dOut)));
  const e = narrow[0];
  throw experimentIssue(
    cfg.file,
    '/lora/r',
    `lora.r = ${r} exceeds min(d_in, d_out) of ${narrow.length} target module${narrow.length === 1 ? '' : 's'}, e.g. ${e.peftName} ` +
      `(d_in ${e.dIn}, d_out ${e.dOut}): a rank-r update of a d_out × d_in weight has at most min(d_in, d_out) directions; ` +
      `lower lora.r to ≤ ${widest} or leave those modules out of lora.targets`,
  );
}

/** onPhase hears the data check ('data', tasks read of all). */
export function setupExperiment(config: ExperimentConfig | string, onPhase?: PhaseReporter): ExperimentSetup {
  const cfg = typeof config === 'string' ? loadExperiment(config) : config;
  const tokenizer = loadTokenizer(cfg.tokenizer);
  const model = readModelFile(cfg.baseModel);
  checkModelSupport(model, cfg.baseModel, TRAINING_SUPPORT);
  // Ids index the embedding table; a model without a recognisable one may still declare its logits' vocabulary.
  const logits = declaredLogits(model)?.dims;
  const vocabSize = inputIdsVocabulary(model) ?? (logits?.length === 3 ? logits[2] : undefined);
  const data = loadTaskData(
    cfg.tasks.map((t) => ({ name: t.name, train: t.train, eval: t.eval, format: t.format, labels: t.labels })),
    tokenizer,
    { seqLength: cfg.training.seqLength, vocabLimit: vocabSize, onTask: onPhase && ((done, total) => onPhase('data', done, total)) },
  );
  const onePosition = data.objective === 'causal_lm' ? singlePositionLogitsProblem(model) : undefined;
  if (onePosition) throw new Error(`${cfg.baseModel}: ${onePosition}`);
  const tokenizes = data.tasks.some((t) => t.format !== 'pretokenized');
  if (tokenizes && data.objective === 'causal_lm' && vocabSize !== undefined && tokenizer.vocabSize > vocabSize) {
    throw new Error(
      `${cfg.file}: the tokenizer emits ids up to ${tokenizer.vocabSize - 1} but the model ${cfg.baseModel} has a vocabulary of ${vocabSize}; use the model's own tokenizer`,
    );
  }
  const modules = resolveTargets(model, targetSpecOf(cfg.lora.targets));
  checkRankFits(cfg, modules);
  const head: TaskHead = data.objective === 'causal_lm' ? 'causal_lm' : 'sequence_classification';
  const saved = experimentModulesToSave(cfg, model, head, modules);
  const length = cfg.training.length;
  const trainExamples = data.tasks.reduce((s, t) => s + t.train.length, 0);
  const totalSteps = length.unit === 'steps' ? length.steps : stepsForEpochs(length.epochs, trainExamples, cfg.training.batchSize * cfg.training.gradAccumulation);
  return {
    config: cfg,
    tokenizer,
    data,
    model,
    modules,
    saved,
    head,
    totalSteps,
    vocabSize,
  };
}
