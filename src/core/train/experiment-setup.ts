// Everything a run needs from the experiment file before the method is initialised: the validated config,
// tokenizer, tokenized task data, base model, target modules and the step count.
import { loadTaskData, LoadedTaskData } from '../data/load-task-data';
import { stepsForEpochs } from '../data/task-mixer';
import { loadTokenizer, TextTokenizer } from '../data/tokenizer';
import { ExperimentConfig, LoraTargets } from '../experiment/experiment-config';
import { loadExperiment } from '../experiment/load-experiment';
import { ResolvedModule } from '../lora/linear-modules';
import { TargetSpec, resolveTargets } from '../lora/resolve-targets';
import { readModelFile } from '../onnx/model-file';
import { ModelProto } from '../onnx/types';
import { TaskHead } from './lora-training-graph';

export interface ExperimentSetup {
  config: ExperimentConfig;
  tokenizer: TextTokenizer;
  data: LoadedTaskData;
  model: ModelProto;
  modules: ResolvedModule[];
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

/** The vocabulary of a language model: the static last dim of its [b, s, V] logits, when declared. */
function declaredVocabulary(model: ModelProto): number | undefined {
  const out = model.graph.outputs.find((o) => o.name === 'logits') ?? model.graph.outputs[0];
  if (out?.shape?.length !== 3) return undefined;
  return out.shape[2].value;
}

export function setupExperiment(config: ExperimentConfig | string): ExperimentSetup {
  const cfg = typeof config === 'string' ? loadExperiment(config) : config;
  const tokenizer = loadTokenizer(cfg.tokenizer);
  const model = readModelFile(cfg.baseModel);
  const vocabSize = declaredVocabulary(model);
  const data = loadTaskData(
    cfg.tasks.map((t) => ({ name: t.name, train: t.train, eval: t.eval, format: t.format, labels: t.labels })),
    tokenizer,
    { seqLength: cfg.training.seqLength, vocabLimit: vocabSize },
  );
  const tokenizes = data.tasks.some((t) => t.format !== 'pretokenized');
  if (tokenizes && data.objective === 'causal_lm' && vocabSize !== undefined && tokenizer.vocabSize > vocabSize) {
    throw new Error(
      `${cfg.file}: the tokenizer emits ids up to ${tokenizer.vocabSize - 1} but the model ${cfg.baseModel} has a vocabulary of ${vocabSize}; use the model's own tokenizer`,
    );
  }
  const modules = resolveTargets(model, targetSpecOf(cfg.lora.targets));
  const length = cfg.training.length;
  const trainExamples = data.tasks.reduce((s, t) => s + t.train.length, 0);
  const totalSteps = length.unit === 'steps' ? length.steps : stepsForEpochs(length.epochs, trainExamples, cfg.training.batchSize * cfg.training.gradAccumulation);
  return {
    config: cfg,
    tokenizer,
    data,
    model,
    modules,
    head: data.objective === 'causal_lm' ? 'causal_lm' : 'sequence_classification',
    totalSteps,
    vocabSize,
  };
}
