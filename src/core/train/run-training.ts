// `thanora train`: one experiment run from start (or a checkpoint) to the end, recorded in its run folder.
// Used by the CLI and by the extension's training worker. Failures are recorded (status.json, an 'end'
// event) and returned, never thrown past the run folder.
import { ExperimentConfig, MethodConfig } from '../experiment/experiment-config';
import { loadExperiment } from '../experiment/load-experiment';
import { PhaseEvent, RUN_FILES, RunEvent } from '../../protocol/run-events';
import { phaseRecorder } from './phase-recorder';
import { folderProblem } from '../io/file-errors';
import { threadCountProblem } from '../runtime/thread-count';
import { Device } from '../runtime/session';
import { setupExperiment } from './experiment-setup';
import { findLastCheckpoint, isCheckpointFolder, recordRunFailure, RunFolder } from '../run-folder';
import { TrainingRun } from './training-run';
import { hasTaskBlocks } from '../method/method-registry';
import { readCheckpoint } from './checkpoint';
import * as path from 'path';

export interface RunTrainingOptions {
  /** The experiment already resolved (a sweep point); the experiment file is then not read. */
  config?: ExperimentConfig;
  /** A run folder or one of its checkpoints: continue from the (last) checkpoint. */
  resumeFrom?: string;
  /** Override the experiment's (or, resuming, the run's) device and thread count. */
  device?: Device;
  threads?: number;
  /** Overrides the experiment's output folder (anywhere: the caller chose it explicitly). */
  runsDir?: string;
  /** The folder the experiment's `output` must stay inside (a VS Code workspace folder; default its own folder). */
  workspaceRoot?: string;
  signal?: AbortSignal;
  /** Method overrides (e.g. a baseline for comparison), applied over the file's method section. */
  method?: Partial<MethodConfig>;
  /** Run label (default: the method name, with λ=0 / uniform ablations spelled out). */
  label?: string;
  /** Lines worth keeping in a log (data notes, phases). */
  onLog?: (line: string) => void;
  /** Device notes (a CPU fallback), each distinct one once per run however many sessions open; default onLog. */
  onNotice?: (line: string) => void;
  /** Transient progress of the method's initialisation (one line per module). */
  onProgress?: (line: string) => void;
}

export interface RunTrainingResult {
  runDir: string;
  /** 'diverged': stopped by training.onDivergence = "stop", `error` says why. */
  state: 'finished' | 'stopped' | 'failed' | 'diverged';
  error?: string;
}

export function runLabel(method: MethodConfig): string {
  if (!hasTaskBlocks(method.name)) return method.name;
  const parts: string[] = [method.name];
  if (method.lambda === 0) parts.push('lambda0');
  if (method.temperature === 'uniform') parts.push('uniform');
  return parts.join('-');
}

/** Passes each distinct line on once: every session of a run (preview, training, eval) notes the same fallback. */
function distinctLines(sink: ((line: string) => void) | undefined): ((line: string) => void) | undefined {
  if (!sink) return undefined;
  const seen = new Set<string>();
  return (line) => {
    if (seen.has(line)) return;
    seen.add(line);
    sink(line);
  };
}

/** The run folder to continue and, when a checkpoint folder was given, that checkpoint. */
function resumeTarget(target: string): { runDir: string; checkpoint?: string } {
  const abs = path.resolve(target);
  if (isCheckpointFolder(abs)) return { runDir: path.resolve(abs, '../..'), checkpoint: abs };
  return { runDir: abs };
}

export async function runTraining(
  experimentFile: string,
  options: RunTrainingOptions = {},
  /** runDir is '' for the data check of a new run, whose folder does not exist yet. */
  onEvent?: (e: RunEvent, runDir: string) => void,
): Promise<RunTrainingResult> {
  let folder: RunFolder | undefined;
  let step = 0;
  let totalSteps = 0;
  try {
    let config: ExperimentConfig;
    let checkpointDir: string | undefined;
    if (options.resumeFrom) {
      const target = resumeTarget(options.resumeFrom);
      folder = RunFolder.openForWriting(target.runDir);
      const last = target.checkpoint ? { dir: target.checkpoint } : findLastCheckpoint(folder.dir);
      if (last.note) options.onLog?.(last.note);
      checkpointDir = last.dir;
      if (!checkpointDir) throw new Error(`${folder.dir} has no checkpoint yet (checkpoints/step-*); start a new run instead`);
      config = folder.readConfig<ExperimentConfig>();
      // Where and how fast to run may change between sessions (another machine); what is trained may not.
      if (options.device) config.device = options.device;
      if (options.threads !== undefined) config.threads = options.threads;
    } else {
      config = options.config ?? loadExperiment(experimentFile, { workspaceRoot: options.workspaceRoot, outputReplaced: options.runsDir !== undefined });
      config = { ...config, method: { ...config.method, ...options.method } };
      if (options.device) config.device = options.device;
      if (options.threads !== undefined) config.threads = options.threads;
      if (options.runsDir) config.output = path.resolve(options.runsDir);
    }
    const threads = threadCountProblem(config.threads, options.threads !== undefined || !folder ? 'threads' : `threads in ${folder.file(RUN_FILES.config)}`);
    if (threads) throw new Error(options.threads === undefined && folder ? `${threads} (or resume with --threads N)` : threads);
    // A folder the run could not be created in is reported before the data and the model are loaded.
    const outputProblem = folder ? undefined : folderProblem(config.output, 'output folder');
    if (outputProblem) throw outputProblem;
    // The run's phases, from the data check to the first step. The data check ends before a new run's folder
    // exists (bad data makes none): its events are heard at once and written into the folder when it is made,
    // with the times they happened.
    const early: PhaseEvent[] = [];
    const phase = phaseRecorder((e) => {
      if (folder) folder.append(e);
      else early.push(e);
      onEvent?.(e, folder?.dir ?? '');
    });
    const setup = setupExperiment(config, phase);
    for (const line of [...setup.data.summary, ...setup.data.notes]) options.onLog?.(line);
    totalSteps = setup.totalSteps;
    const checkpoint = checkpointDir ? readCheckpoint(checkpointDir) : undefined;
    step = checkpoint?.trainer.step ?? 0;
    const status = {
      state: 'running' as const,
      step,
      totalSteps,
      pid: process.pid,
      lastCheckpoint: checkpointDir && folder ? path.relative(folder.dir, checkpointDir) : undefined,
    };
    if (folder) folder.writeStatus(status);
    else {
      folder = RunFolder.create(config.output, options.label ?? runLabel(config.method), config, status);
      for (const e of early) folder.append(e);
    }
    const run = await TrainingRun.prepare(setup, folder, {
      checkpoint,
      onLog: options.onLog,
      onNotice: distinctLines(options.onNotice ?? options.onLog),
      onProgress: options.onProgress,
      onEvent: (e) => onEvent?.(e, folder!.dir),
      onPhase: phase,
      label: options.label ?? runLabel(config.method),
    });
    const ended = await run.train(options.signal, (s) => (step = s));
    return { runDir: folder.dir, ...ended };
  } catch (e) {
    let error = (e as Error).message;
    if (folder) {
      try {
        onEvent?.(recordRunFailure(folder.dir, { error, step, totalSteps }), folder.dir);
      } catch (recording) {
        // A full disk refuses the record too; status.json still says running, so readers see 'interrupted'.
        error += ` (the failure could not be recorded in ${folder.dir}: ${(recording as Error).message})`;
      }
    }
    return { runDir: folder?.dir ?? '', state: 'failed', error };
  } finally {
    folder?.release();
  }
}
