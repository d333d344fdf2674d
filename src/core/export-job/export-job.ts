// `thanora export-job`: hands a designed experiment to Hugging Face Accelerate (DDP or FSDP) for a
// cluster. The method is initialized here by our engine, exactly as `thanora train` would (HASI's preview, the
// task and cooperative blocks, the residual W' = W − s·Σ_t B_t A_t), and written as the run's step-0 checkpoint;
// train.py (transformers + PEFT + torch, no project code) continues from it with the same data order, loss,
// SPR term, AdamW, schedule and clipping, and writes metrics.jsonl and checkpoints in our run-folder format.
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-write';
import { commitFolder, discardFolder, stageFolder } from '../io/folder-commit';
import { installedPath } from '../io/installed-file';
import { LoraPair } from '../io/peft-adapter';
import { SafeTensor, writeSafetensors } from '../io/safetensors';
import { indexGraph } from '../lora/graph-index';
import { loraInputNames } from '../lora/peft-names';
import { initializeFresh } from '../train/method-state';
import { moduleWeight } from '../method/module-weights';
import { readImportRecord } from '../modelgen/import-hf-model';
import { TaskMixer } from '../data/task-mixer';
import { ExperimentSetup, setupExperiment } from '../train/experiment-setup';
import { runLabel } from '../train/run-training';
import { sprLossTerm } from '../method/spr-term';
import { writeCheckpointFolder } from '../run-folder';
import { CheckpointMeta, RUN_FILES } from '../../protocol/run-events';
import { MethodInit } from '../method/method-init';
import { hasTaskBlocks } from '../method/method-registry';
import { JOB_FILES, JOB_FORMAT, JobModule, JobSpec, JobTask } from './job-spec';
import { renderJobReadme } from './job-readme';

export type JobTarget = 'accelerate';
export const JOB_TARGETS: readonly JobTarget[] = ['accelerate'];

export interface ExportJobOptions {
  target: JobTarget;
  /** The job folder; must not exist yet, or be empty. */
  outDir: string;
  /** The Hugging Face folder of the base model, when the experiment's model was not made by `thanora import`. */
  hfModel?: string;
  onLog?: (line: string) => void;
  onProgress?: (line: string) => void;
}

export interface ExportedJob {
  dir: string;
  spec: JobSpec;
  files: string[];
}

/** Templates shipped with the extension and the CLI (media/export-job/), copied as they are. */
const TEMPLATE_FILES = [JOB_FILES.trainScript, 'accelerate/ddp.yaml', 'accelerate/fsdp.yaml', JOB_FILES.skypilot];

export class ExportJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportJobError';
  }
}

function checkOutDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw new ExportJobError(`--out ${dir} is a file; name a new folder for the job`);
  if (fs.readdirSync(dir).length > 0) throw new ExportJobError(`--out ${dir} is not empty; name a new folder for the job (an export never mixes with other files)`);
}

/** The Hugging Face folder the base came from: --hf-model, else the imported model's own folder. */
function hfFolderOf(setup: ExperimentSetup, given: string | undefined): { dir: string; className: string; weightKeys: Record<string, string> } {
  const record = readImportRecord(setup.model);
  const baseModel = setup.config.baseModel;
  const dir = path.resolve(given ?? path.dirname(baseModel));
  if (!record && !given) {
    throw new ExportJobError(
      `${baseModel} was not made by \`thanora import\` (it has no Hugging Face import record), so there is no Hugging Face model for train.py to load; ` +
        `import the model folder with \`thanora import <hf-folder> --experiment DIR\`, or name the folder with --hf-model`,
    );
  }
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ExportJobError(`${dir} is not a folder; name the Hugging Face model folder train.py should load with --hf-model`);
  }
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    throw new ExportJobError(`${dir} has no config.json, so it is not a Hugging Face model folder; name the folder train.py should load with --hf-model`);
  }
  if (!fs.readdirSync(dir).some((f) => f.endsWith('.safetensors'))) {
    throw new ExportJobError(`${dir} has no *.safetensors weights for train.py to load; name the original Hugging Face folder with --hf-model`);
  }
  const className = record?.className ?? readArchitecture(path.join(dir, 'config.json'));
  // Without an import record the graph's modules carry the PEFT names of the model, whose weights are `<name>.weight`.
  const weightKeys = record?.weights ?? Object.fromEntries(setup.modules.map((m) => [m.initializer, `${m.peftName}.weight`]));
  return { dir, className, weightKeys };
}

function readArchitecture(configFile: string): string {
  const arch = (JSON.parse(fs.readFileSync(configFile, 'utf8')) as { architectures?: string[] }).architectures?.[0];
  if (!arch) throw new ExportJobError(`${configFile} names no "architectures"; train.py needs the model class (e.g. LlamaForCausalLM)`);
  return arch;
}

function f32(shape: number[], data: Float32Array): SafeTensor {
  return { dtype: 'F32', shape, data };
}

/** The init's A, B (and A₀, B₀) by PEFT module name, as the run folder's checkpoint writer takes them. */
function pairsOf(setup: ExperimentSetup, values: ReadonlyMap<string, Float32Array>, rank: number): Map<string, LoraPair> {
  const pairs = new Map<string, LoraPair>();
  for (const m of setup.modules) {
    const { aInput, bInput } = loraInputNames(m.peftName);
    pairs.set(m.peftName, { A: f32([rank, m.dIn], values.get(aInput)!), B: f32([m.dOut, rank], values.get(bInput)!) });
  }
  return pairs;
}

// W' − W per adapted weight (d_out × d_in, PEFT's nn.Linear orientation), float32, keyed by the checkpoint key.
function residualDeltas(setup: ExperimentSetup, init: MethodInit, weightKeys: Record<string, string>): Map<string, SafeTensor> {
  const base = indexGraph(setup.model.graph);
  const residual = indexGraph(init.model.graph);
  const deltas = new Map<string, SafeTensor>();
  for (const m of setup.modules) {
    const key = weightKeys[m.initializer];
    if (!key) throw new ExportJobError(`module '${m.peftName}': weight '${m.initializer}' has no Hugging Face checkpoint key in the import record; re-import the model`);
    const w = moduleWeight(base, m);
    const wPrime = moduleWeight(residual, m);
    deltas.set(key, f32([m.dOut, m.dIn], Float32Array.from(wPrime.data, (v, i) => v - w.data[i])));
  }
  return deltas;
}

function tokenizedLines(task: ExperimentSetup['data']['tasks'][number], split: 'train' | 'eval'): string {
  return task[split]
    .map((e) => {
      if (e.kind !== 'causal_lm') throw new ExportJobError(`task "${task.name}" is a classification task; training jobs export causal language models only`);
      return JSON.stringify({ input_ids: Array.from(e.inputIds), labels: Array.from(e.labels) }) + '\n';
    })
    .join('');
}

// data/<t>-<name>.jsonl (train) and data/<t>-<name>.eval.jsonl (eval), one tokenized example a line.
function writeTaskData(dir: string, setup: ExperimentSetup): JobTask[] {
  fs.mkdirSync(path.join(dir, JOB_FILES.data));
  return setup.data.tasks.map((task, t) => {
    const stem = `${JOB_FILES.data}/${t}-${task.name.replace(/[^A-Za-z0-9_.-]+/g, '-')}`;
    const file = `${stem}.jsonl`;
    const evalFile = `${stem}.eval.jsonl`;
    writeFileAtomic(path.join(dir, file), tokenizedLines(task, 'train'));
    writeFileAtomic(path.join(dir, evalFile), tokenizedLines(task, 'eval'));
    return { name: task.name, file, examples: task.train.length, evalFile, evalExamples: task.eval.length, weight: setup.config.tasks[t].weight };
  });
}

function copyTemplates(dir: string): void {
  const root = installedPath(path.join('media', 'export-job'));
  for (const name of TEMPLATE_FILES) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.copyFileSync(path.join(root, name), path.join(dir, name));
  }
}

export async function exportTrainingJob(experimentFile: string, options: ExportJobOptions): Promise<ExportedJob> {
  if (!JOB_TARGETS.includes(options.target)) throw new ExportJobError(`--target ${options.target} is not supported; use ${JOB_TARGETS.join(', ')}`);
  const outDir = path.resolve(options.outDir);
  checkOutDir(outDir);
  const setup = setupExperiment(experimentFile);
  const { config } = setup;
  if (setup.head !== 'causal_lm') throw new ExportJobError(`${config.file}: the tasks are sequence classification; training jobs export causal language models only`);
  if (hasTaskBlocks(config.method.name) && config.method.taskLrScale !== 1) {
    throw new ExportJobError(`${config.file}: method.taskLrScale = ${config.method.taskLrScale}, but train.py trains the whole adapter at one learning rate; export with taskLrScale 1`);
  }
  const hf = hfFolderOf(setup, options.hfModel);
  const init = await initializeFresh(setup, { onLog: options.onLog, onNotice: options.onLog, onProgress: options.onProgress });
  const label = runLabel(config.method);
  const staged = stageFolder(outDir);
  try {
    const meta: CheckpointMeta = {
      method: config.method.name,
      tasks: config.tasks.map((t) => t.name),
      blocks: init.blocks,
      residual: init.residual,
      baseModel: config.baseModel,
      moduleMap: Object.fromEntries(setup.modules.map((m) => [m.peftName, { initializer: m.initializer, node: m.node, op: m.op, stored: m.stored }])),
      step: 0,
    };
    const mixer = new TaskMixer({ taskSizes: setup.data.tasks.map((t) => t.train.length), weights: config.tasks.map((t) => t.weight), mode: config.training.mixing, seed: config.training.seed });
    const checkpoint = writeCheckpointFolder(path.join(staged, RUN_FILES.checkpoints), {
      meta,
      rank: init.rank,
      alpha: config.lora.alpha,
      targetModules: [...new Set(setup.modules.map((m) => m.peftName.split('.').pop()!))],
      adapter: pairsOf(setup, init.values, init.rank),
      init: init.residual ? pairsOf(setup, init.init, init.rank) : undefined,
      // Jobs are causal LMs (checked above), which train no modules_to_save.
      task: 'causal_lm',
      modulesToSave: [],
      saved: new Map(),
      optimizer: { step: 0, slots: {} },
      trainer: { step: 0, totalSteps: setup.totalSteps, rng: null, mixer: mixer.getState() },
    });
    if (init.residual) writeSafetensors(path.join(staged, JOB_FILES.residual), residualDeltas(setup, init, hf.weightKeys), { format: 'pt' });
    const tasks = writeTaskData(staged, setup);
    const modules: JobModule[] = setup.modules.map((m) => ({
      peftName: m.peftName,
      weightKey: hf.weightKeys[m.initializer],
      layer: init.layers.get(m.peftName) ?? -1,
      dIn: m.dIn,
      dOut: m.dOut,
      taskRanks: init.blocks[m.peftName].taskRanks,
      cooperativeRank: init.blocks[m.peftName].cooperativeRank,
    }));
    const t = config.training;
    const spec: JobSpec = {
      format: JOB_FORMAT,
      experiment: config.file,
      baseModel: config.baseModel,
      hfModel: hf.dir,
      hfClassName: hf.className,
      runId: path.basename(outDir),
      exportedAt: new Date().toISOString(),
      label,
      method: config.method.name,
      objective: 'causal_lm',
      tasks,
      lora: { r: init.rank, alpha: config.lora.alpha },
      residual: init.residual,
      modules,
      spr: sprLossTerm(config.method, init.blockMaps) ? { lambda: config.method.lambda, sides: config.method.sprSides } : null,
      training: {
        totalSteps: setup.totalSteps,
        batchSize: t.batchSize,
        gradAccumulation: t.gradAccumulation,
        lr: t.lr,
        warmupSteps: t.warmupSteps,
        schedule: t.schedule,
        weightDecay: t.weightDecay,
        gradClip: t.gradClip,
        seed: t.seed,
        mixing: t.mixing,
        padId: setup.tokenizer.special.pad,
        padding: t.padding,
        seqLength: t.seqLength,
        checkpointEvery: t.checkpointEvery,
        evalEvery: t.evalEvery,
        // The engine's eval batch (training-run.ts evaluate) and the id that ends a greedy completion.
        evalBatchSize: Math.max(t.batchSize, 16),
        eosId: setup.tokenizer.special.eos ?? null,
        best: { metric: t.best.metric, patience: t.best.patience },
        onDivergence: t.onDivergence,
      },
      allocation: init.allocation,
      initCheckpoint: path.relative(staged, checkpoint),
    };
    writeJsonAtomic(path.join(staged, JOB_FILES.spec), spec);
    // The resolved experiment, as in every run folder: `thanora train --resume <job>` continues it with our engine.
    writeJsonAtomic(path.join(staged, RUN_FILES.config), config);
    copyTemplates(staged);
    writeFileAtomic(path.join(staged, JOB_FILES.readme), renderJobReadme(spec));
    commitFolder(staged, outDir);
  } catch (e) {
    discardFolder(staged);
    throw e;
  }
  const spec = JSON.parse(fs.readFileSync(path.join(outDir, JOB_FILES.spec), 'utf8')) as JobSpec;
  return { dir: outDir, spec, files: listFiles(outDir) };
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}
