// From a schema-valid, default-filled thanora.json value to the typed ExperimentConfig, plus the rules one
// field's schema cannot express: unique task names, the rank budget, steps vs epochs, files that must exist,
// threads within this machine's cores, the output folder inside the workspace.
// `given` is the value as the user wrote it (before defaults), to tell an explicit setting from a default.
import * as fs from 'fs';
import * as path from 'path';
import type { ExampleFormatSetting } from '../data/example-formats';
import {
  autoCooperativeRank,
  DEFAULT_TRAINING_STEPS,
  ExperimentConfig,
  LoraTargets,
  ModuleMapEntry,
  TaskConfig,
  TrainingLength,
} from './experiment-config';
import type { ConfigIssue } from './experiment-error';
import { threadCountProblem } from '../runtime/thread-count';
import { hasTaskBlocks } from '../method/method-registry';

// The value has passed the schema, so its shape is known; `any` avoids restating the schema as casts.
type Json = any;

function resolveTargets(targets: Json): LoraTargets {
  if (targets === 'all-linear') return { kind: 'all-linear' };
  if (Array.isArray(targets)) return { kind: 'suffixes', suffixes: [...targets] };
  return { kind: 'module-map', modules: targets as Record<string, ModuleMapEntry> };
}

export function resolveExperiment(value: Json, given: Json, file: string): ExperimentConfig {
  const dir = path.dirname(file);
  const absolute = (p: string) => path.resolve(dir, p);
  const tasks: TaskConfig[] = value.tasks.map((t: Json) => ({
    name: t.name,
    train: absolute(t.train),
    eval: absolute(t.eval),
    weight: t.weight,
    format: t.format as ExampleFormatSetting,
    labels: t.labels.length > 0 ? [...t.labels] : undefined,
  }));
  const m = value.method;
  const t = value.training;
  const length: TrainingLength =
    given.training?.epochs !== undefined && given.training?.steps === undefined
      ? { unit: 'epochs', epochs: t.epochs }
      : { unit: 'steps', steps: t.steps ?? DEFAULT_TRAINING_STEPS };
  return {
    file,
    baseModel: absolute(value.baseModel),
    tokenizer: value.tokenizer === 'bytes' ? { kind: 'bytes' } : { kind: 'huggingface', path: absolute(value.tokenizer) },
    tasks,
    lora: { targets: resolveTargets(value.lora.targets), r: value.lora.r, alpha: value.lora.alpha, modulesToSave: value.lora.modulesToSave === 'auto' ? 'auto' : [...value.lora.modulesToSave] },
    method: {
      name: m.name,
      previewSamples: m.previewSamples,
      epsilon: m.epsilon,
      entropyRank: m.entropyRank,
      entropyOver: m.entropyOver,
      cooperativeRank: m.cooperativeRank === 'auto' ? autoCooperativeRank(value.lora.r, tasks.length) : m.cooperativeRank,
      temperature: m.temperature,
      allocation: m.allocation,
      gamma: m.gamma,
      taskLrScale: m.taskLrScale,
      lambda: m.lambda,
      sprSides: m.sprSides,
    },
    training: {
      length,
      batchSize: t.batchSize,
      gradAccumulation: t.gradAccumulation,
      seqLength: t.seqLength,
      padding: t.padding,
      lr: t.lr,
      warmupSteps: t.warmupSteps,
      schedule: t.schedule,
      weightDecay: t.weightDecay,
      gradClip: t.gradClip,
      seed: t.seed,
      evalEvery: t.evalEvery,
      checkpointEvery: t.checkpointEvery,
      best: { metric: t.best.metric, patience: t.best.patience },
      onDivergence: t.onDivergence,
      mixing: t.mixing,
    },
    device: value.device,
    threads: value.threads,
    output: absolute(value.output),
    outputOutsideWorkspace: value.outputOutsideWorkspace,
  };
}

function fileProblem(file: string, folderFallback?: string): string | undefined {
  if (!fs.existsSync(file)) return 'not found';
  if (fs.statSync(file).isDirectory()) {
    if (folderFallback && fs.existsSync(path.join(file, folderFallback))) return undefined;
    return folderFallback ? `is a folder without a ${folderFallback}` : 'is a folder, expected a file';
  }
  return undefined;
}

/** `target` with symbolic links resolved as far as it exists (a folder still to be made keeps its tail). */
function realTarget(target: string): string {
  const tail: string[] = [];
  let p = path.resolve(target);
  while (!fs.existsSync(p) && path.dirname(p) !== p) {
    tail.unshift(path.basename(p));
    p = path.dirname(p);
  }
  return path.join(fs.realpathSync(p), ...tail);
}

function isInside(target: string, root: string): boolean {
  const rel = path.relative(realTarget(root), realTarget(target));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function checkOutput(config: ExperimentConfig, given: Json, workspaceRoot: string): ConfigIssue[] {
  if (config.outputOutsideWorkspace || isInside(config.output, workspaceRoot)) return [];
  const written = given.output === undefined ? 'the default output' : `output ${JSON.stringify(given.output)}`;
  return [
    {
      pointer: '/output',
      message: `${written} resolves to ${config.output}, outside the workspace ${workspaceRoot}; write runs inside it (e.g. "runs"), or set "outputOutsideWorkspace": true to allow it`,
    },
  ];
}

function checkFiles(config: ExperimentConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const relativeTo = `(resolved relative to ${path.dirname(config.file)})`;
  const check = (pointer: string, what: string, file: string, folderFallback?: string) => {
    const problem = fileProblem(file, folderFallback);
    if (problem) issues.push({ pointer, message: `${what} ${problem}: ${file} ${relativeTo}` });
  };
  check('/baseModel', 'base model', config.baseModel);
  if (config.tokenizer.kind === 'huggingface') check('/tokenizer', 'tokenizer', config.tokenizer.path, 'tokenizer.json');
  config.tasks.forEach((task, i) => {
    check(`/tasks/${i}/train`, `task "${task.name}": train file`, task.train);
    check(`/tasks/${i}/eval`, `task "${task.name}": eval file`, task.eval);
    if (task.labels && task.format !== 'auto' && task.format !== 'classification') {
      issues.push({ pointer: `/tasks/${i}/labels`, message: `task "${task.name}": labels (class names) only apply to classification, but format is "${task.format}"` });
    }
  });
  if (fs.existsSync(config.output) && !fs.statSync(config.output).isDirectory()) {
    issues.push({ pointer: '/output', message: `output must be a folder, but ${config.output} is a file` });
  }
  return issues;
}

function checkRanks(config: ExperimentConfig, given: Json): ConfigIssue[] {
  const { r } = config.lora;
  const T = config.tasks.length;
  const rc = config.method.cooperativeRank;
  const issues: ConfigIssue[] = [];
  if (!hasTaskBlocks(config.method.name)) return issues;
  if (r < T + rc) {
    const explicit = typeof given.method?.cooperativeRank === 'number';
    issues.push({
      pointer: explicit ? '/method/cooperativeRank' : '/lora/r',
      message:
        `lora.r = ${r} cannot give each of the ${T} tasks a rank ≥ 1 plus the cooperative rank ${rc}${explicit ? '' : ' ("auto")'}: ` +
        `method "${config.method.name}" needs r ≥ ${T} + ${rc} = ${T + rc}. Raise lora.r${explicit ? ' or lower method.cooperativeRank' : ''}.`,
    });
  }
  const K = config.method.entropyRank;
  if (K !== 'auto' && K < r) {
    issues.push({ pointer: '/method/entropyRank', message: `entropyRank ${K} is below lora.r = ${r}: the SVD behind it must supply r directions; use "auto" or a value ≥ ${r}` });
  }
  return issues;
}

function checkTasksAndTraining(config: ExperimentConfig, given: Json): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const firstIndex = new Map<string, number>();
  config.tasks.forEach((task, i) => {
    const key = task.name.toLowerCase();
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, i);
    else issues.push({ pointer: `/tasks/${i}/name`, message: `task name "${task.name}" is already used by tasks[${first}] ("${config.tasks[first].name}"); names must be unique (ignoring case)` });
  });
  if (given.training?.steps !== undefined && given.training?.epochs !== undefined) {
    issues.push({ pointer: '/training/epochs', message: 'give either training.steps or training.epochs, not both' });
  }
  const metricTask = /^(?:accuracy|loss):(.*)$/.exec(config.training.best.metric)?.[1];
  if (metricTask !== undefined && !config.tasks.some((task) => task.name === metricTask)) {
    issues.push({
      pointer: '/training/best/metric',
      message: `best.metric "${config.training.best.metric}" names no task; use "mean-accuracy", "mean-loss" or one of ${config.tasks.map((task) => `"accuracy:${task.name}"`).join(', ')} (or loss:<task>)`,
    });
  }
  const { length, warmupSteps } = config.training;
  if (length.unit === 'steps' && warmupSteps > length.steps) {
    issues.push({ pointer: '/training/warmupSteps', message: `warmupSteps ${warmupSteps} exceeds training.steps ${length.steps}; the learning rate would never reach lr` });
  }
  return issues;
}

function checkMachine(config: ExperimentConfig): ConfigIssue[] {
  const problem = threadCountProblem(config.threads, 'threads');
  return problem ? [{ pointer: '/threads', message: problem }] : [];
}

/**
 * Every cross-field problem of a resolved config, in file order of the fields they point to. `workspaceRoot`
 * (default: the file's folder) is the folder `output` must stay in; null when `output` is replaced.
 */
export function checkExperimentRules(config: ExperimentConfig, given: Json, workspaceRoot: string | null = path.dirname(config.file)): ConfigIssue[] {
  const output = workspaceRoot === null ? [] : checkOutput(config, given, workspaceRoot);
  return [...checkTasksAndTraining(config, given), ...checkRanks(config, given), ...checkFiles(config), ...output, ...checkMachine(config)];
}
