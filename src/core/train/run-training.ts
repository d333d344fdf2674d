// `thanora train`: one experiment run from start (or a checkpoint) to the end, recorded in its run folder.
// Used by the CLI and by the extension's training worker. Failures are recorded (status.json, an 'end'
// event) and returned, never thrown past the run folder.
import { ExperimentConfig, MethodConfig } from '../experiment/experiment-config';
import { loadExperiment } from '../experiment/load-experiment';
import { RunEvent } from '../../protocol/run-events';
import { Device } from '../runtime/session';
import { setupExperiment } from './experiment-setup';
import { RunFolder } from './run-folder';
import { TrainingRun } from './training-run';
import { readCheckpoint } from './checkpoint';
import * as path from 'path';
import * as fs from 'fs';

export interface RunTrainingOptions {
  /** A run folder or one of its checkpoints: continue from the (last) checkpoint. */
  resumeFrom?: string;
  device?: Device;
  threads?: number;
  /** Overrides the experiment's output folder. */
  runsDir?: string;
  signal?: AbortSignal;
  /** Method overrides (e.g. a baseline for comparison), applied over the file's method section. */
  method?: Partial<MethodConfig>;
  /** Run label (default: the method name, with λ=0 / uniform ablations spelled out). */
  label?: string;
  /** Lines worth keeping in a log (data notes, device fallbacks, phases). */
  onLog?: (line: string) => void;
  /** Transient progress of the method's initialisation (one line per module). */
  onProgress?: (line: string) => void;
}

export interface RunTrainingResult {
  runDir: string;
  state: 'finished' | 'stopped' | 'failed';
  error?: string;
}

export function runLabel(method: MethodConfig): string {
  if (method.name !== 'thanora') return method.name;
  const parts = ['thanora'];
  if (method.lambda === 0) parts.push('lambda0');
  if (method.temperature === 'uniform') parts.push('uniform');
  return parts.join('-');
}

function resolveResume(target: string): { runDir: string; checkpoint: string } {
  const abs = path.resolve(target);
  if (fs.existsSync(path.join(abs, 'trainer_state.json'))) return { runDir: path.resolve(abs, '../..'), checkpoint: abs };
  const run = RunFolder.open(abs);
  const checkpoint = run.lastCheckpoint();
  if (!checkpoint) throw new Error(`${abs} has no checkpoint yet (checkpoints/step-*); start a new run instead`);
  return { runDir: abs, checkpoint };
}

export async function runTraining(
  experimentFile: string,
  options: RunTrainingOptions = {},
  onEvent?: (e: RunEvent, runDir: string) => void,
): Promise<RunTrainingResult> {
  let folder: RunFolder | undefined;
  let step = 0;
  let totalSteps = 0;
  try {
    const resume = options.resumeFrom ? resolveResume(options.resumeFrom) : undefined;
    let config: ExperimentConfig;
    if (resume) {
      folder = RunFolder.open(resume.runDir);
      config = folder.readConfig<ExperimentConfig>();
    } else {
      config = loadExperiment(experimentFile);
      config = { ...config, method: { ...config.method, ...options.method } };
      if (options.device) config.device = options.device;
      if (options.threads !== undefined) config.threads = options.threads;
      if (options.runsDir) config.output = path.resolve(options.runsDir);
    }
    const setup = setupExperiment(config);
    for (const line of [...setup.data.summary, ...setup.data.notes]) options.onLog?.(line);
    totalSteps = setup.totalSteps;
    if (!folder) {
      folder = RunFolder.create(config.output, options.label ?? runLabel(config.method));
      folder.writeConfig(config);
    }
    folder.writeStatus({ state: 'running', step: 0, totalSteps, pid: process.pid });
    const checkpoint = resume ? readCheckpoint(resume.checkpoint) : undefined;
    const run = await TrainingRun.prepare(setup, folder, {
      checkpoint,
      onLog: options.onLog,
      onProgress: options.onProgress,
      onEvent: (e) => onEvent?.(e, folder!.dir),
      label: options.label ?? runLabel(config.method),
    });
    const state = await run.train(options.signal, (s) => (step = s));
    return { runDir: folder.dir, state };
  } catch (e) {
    const error = (e as Error).message;
    if (folder) {
      const end: RunEvent = { type: 'end', step, time: new Date().toISOString(), state: 'failed', error };
      folder.append(end);
      onEvent?.(end, folder.dir);
      folder.writeStatus({ state: 'failed', step, totalSteps, error, lastCheckpoint: relativeCheckpoint(folder) });
    }
    return { runDir: folder?.dir ?? '', state: 'failed', error };
  }
}

function relativeCheckpoint(folder: RunFolder): string | undefined {
  const last = folder.lastCheckpoint();
  return last ? path.relative(folder.dir, last) : undefined;
}
