// The training loop: mixed-task batches, forward + backward in ONNX Runtime, global-norm clipping and AdamW
// on the adapters, and the run folder's record — step metrics, HASI allocation, subspace angles, evals,
// checkpoints, status. Deterministic given the seed on CPU; a resumed run replays the same next steps.
import * as path from 'path';
import { TaskMixer } from '../data/task-mixer';
import { LogitsSession } from '../generate/logits-session';
import { injectLora } from '../lora/inject-lora';
import { liftSavedParams } from '../lora/lift-saved-params';
import { DataType } from '../onnx/types';
import { anglesEvent } from '../method/adapter-diagnostics';
import { MethodInit } from '../method/method-init';
import { engineBatch } from '../method/preview-batches';
import { sprLossTerm } from '../method/spr-term';
import { AdamW } from '../optim/adamw';
import { clipGradNorm, globalGradNorm } from '../optim/grad-clip';
import { makeLrSchedule } from '../optim/lr-schedule';
import { optimizerLrScales } from '../thanora/task-block-lr';
import { BestRecord, CheckpointMeta, RunEvent, RunWarningEvent, TrainerState } from '../../protocol/run-events';
import { DEFAULT_BEST } from '../experiment/experiment-config';
import { accumulatedStep } from './accumulated-step';
import { BestTracker } from './best-checkpoint';
import { LoadedCheckpoint, writeCheckpoint } from './checkpoint';
import { DivergenceMonitor } from './divergence-monitor';
import { evaluateTasks } from './evaluate';
import { ExperimentSetup } from './experiment-setup';
import { buildLoraTrainingGraph, LoraTrainingGraph } from './lora-training-graph';
import { initializeFresh, restoreFromCheckpoint } from './method-state';
import { RunFolder } from '../run-folder';
import { TrainStepSession } from './train-step-session';
import { PhaseReporter } from './phase-recorder';

export interface PrepareOptions {
  checkpoint?: LoadedCheckpoint;
  onLog?: (line: string) => void;
  /** Device notes of the sessions (see SessionOptions.onNotice). */
  onNotice?: (line: string) => void;
  onProgress?: (line: string) => void;
  onEvent?: (e: RunEvent) => void;
  /** The run's one phase reporter (it records and passes on PhaseEvents, throttled). */
  onPhase: PhaseReporter;
  label: string;
}

/** Angles every this many steps when the experiment does not say (about 20 points per run). */
function anglesInterval(totalSteps: number): number {
  return Math.max(1, Math.round(totalSteps / 20));
}

export class TrainingRun {
  private step: number;
  /** The newest checkpoint of this run's own history: the one resumed from, then each one written. */
  private lastCheckpointDir?: string;
  private readonly divergence: DivergenceMonitor;
  /** The warning that stopped the run (training.onDivergence = "stop"). */
  private divergedBy?: RunWarningEvent;
  private readonly best: BestTracker;
  /** The last eval is a new best, so this step gets a checkpoint. */
  private bestPending = false;
  /** training.best.patience ran out (the message). */
  private earlyStop?: string;

  private constructor(
    private readonly setup: ExperimentSetup,
    private readonly folder: RunFolder,
    private readonly init: MethodInit,
    private readonly graph: LoraTrainingGraph,
    private readonly session: TrainStepSession,
    private readonly evalSession: LogitsSession,
    private readonly optimizer: AdamW,
    private readonly mixer: TaskMixer,
    private readonly options: PrepareOptions,
    startStep: number,
  ) {
    this.step = startStep;
    this.lastCheckpointDir = options.checkpoint?.dir;
    const logits = graph.infos.get(graph.head.logits)?.shape ?? [];
    this.divergence = new DivergenceMonitor(Number(logits[logits.length - 1]));
    // config.json of a run recorded before training.best existed has none.
    const restored = options.checkpoint?.trainer.extra?.best as BestRecord | undefined;
    this.best = new BestTracker(setup.config.training.best ?? DEFAULT_BEST, restored);
  }

  static async prepare(setup: ExperimentSetup, folder: RunFolder, options: PrepareOptions): Promise<TrainingRun> {
    const { config } = setup;
    const log = options.onLog;
    const phase = options.onPhase;
    const init = options.checkpoint
      ? restoreFromCheckpoint(setup, options.checkpoint)
      : await initializeFresh(setup, { onLog: log, onNotice: options.onNotice, onProgress: options.onProgress, onPhase: phase });
    const spr = sprLossTerm(config.method, init.blockMaps);
    const mixer = new TaskMixer({
      taskSizes: setup.data.tasks.map((t) => t.train.length),
      weights: config.tasks.map((t) => t.weight),
      mode: config.training.mixing,
      seed: config.training.seed,
    });
    const collate = { padding: config.training.padding, seqLength: config.training.seqLength, padId: setup.tokenizer.special.pad };
    // A sample batch for the shape probe, drawn from a throwaway mixer so the real data order is untouched.
    const sampleMixer = new TaskMixer({ taskSizes: setup.data.tasks.map((t) => t.train.length), mode: 'balanced', seed: config.training.seed + 1 });
    const sample = engineBatch(sampleMixer.nextBatch(setup.data.tasks.map((t) => t.train), Math.max(2, config.training.batchSize), collate));
    log?.('building the training graph');
    phase('graph', 0, 1);
    const graph = await buildLoraTrainingGraph(
      init.model,
      { modules: setup.modules, rank: init.rank, alpha: config.lora.alpha, head: setup.head, taskCount: config.tasks.length, extraTerms: spr ? [spr] : [], saved: setup.saved },
      sample,
    );
    const sessionOptions = { device: config.device, threads: config.threads || undefined, onNotice: options.onNotice };
    phase('sessions', 0, 1);
    const session = await TrainStepSession.open(graph, sessionOptions);
    // Adapter and saved-module values are fed as float32 (the optimizer's type) and cast in the graph, as in the
    // training graph.
    const lifted = liftSavedParams(init.model, setup.saved, DataType.FLOAT);
    const injected = injectLora(lifted, setup.modules, { rank: init.rank, alpha: config.lora.alpha, dtype: DataType.FLOAT });
    const evalSession = await LogitsSession.open(injected.model, injected.adapters, sessionOptions, setup.saved);
    const lrScales = optimizerLrScales(init.method, config.method.taskLrScale, setup.modules, init.blockMaps);
    const optimizer = new AdamW({ lr: config.training.lr, weightDecay: config.training.weightDecay, lrScales });
    let startStep = 0;
    if (options.checkpoint) {
      optimizer.importState(options.checkpoint.optimizer);
      mixer.setState(options.checkpoint.trainer.mixer as ReturnType<TaskMixer['getState']>);
      startStep = options.checkpoint.trainer.step;
    }
    return new TrainingRun(setup, folder, init, graph, session, evalSession, optimizer, mixer, options, startStep);
  }

  private emit(e: RunEvent): void {
    this.folder.append(e);
    this.options.onEvent?.(e);
  }

  private get totalSteps(): number {
    return this.setup.totalSteps;
  }

  private emitStart(): void {
    const { config, modules } = this.setup;
    this.emit({
      type: 'start',
      time: new Date().toISOString(),
      runId: this.folder.runId,
      method: config.method.name,
      label: this.options.label,
      tasks: config.tasks.map((t) => t.name),
      modules: modules.map((m) => m.peftName),
      layers: modules.map((m) => this.init.layers.get(m.peftName) ?? -1),
      totalSteps: this.totalSteps,
      rank: config.lora.r,
      provider: this.session.provider,
      ...(this.session.fallbackReason ? { fallbackReason: this.session.fallbackReason } : {}),
      fromStep: this.step,
    });
    if (this.init.allocation && this.step === 0) this.emit({ type: 'allocation', step: 0, modules: this.init.allocation });
  }

  private emitAngles(): void {
    const hasBlocks = [...this.init.blockMaps.values()].some((m) => m.blocks.filter((b) => b.kind === 'task').length >= 2);
    if (!hasBlocks) return;
    const ctx = { rank: this.init.rank, blockMaps: this.init.blockMaps, layers: this.init.layers };
    this.emit(anglesEvent(this.step, ctx, this.setup.modules, this.init.values));
  }

  private async evaluate(): Promise<void> {
    const { tokenizer, data, config } = this.setup;
    const tasks = await evaluateTasks(this.evalSession, data.tasks, this.init.values, {
      batchSize: Math.max(config.training.batchSize, 16),
      padId: tokenizer.special.pad,
      eosId: tokenizer.special.eos,
    });
    const event = { type: 'eval' as const, step: this.step, tasks };
    this.emit(event);
    this.watchDivergence(this.divergence.onEval(this.step, tasks.map((t) => t.loss)));
    // A diverged eval under onDivergence "stop" gets no checkpoint, so it cannot be the best.
    if (this.divergedBy) return;
    const verdict = this.best.onEval(event);
    this.bestPending = verdict.improved;
    if (verdict.earlyStop) {
      this.earlyStop = verdict.earlyStop;
      this.options.onLog?.(verdict.earlyStop);
    }
  }

  /** Records a divergence warning; under onDivergence "stop" it also ends the loop (see train). */
  private watchDivergence(warning: RunWarningEvent | undefined): void {
    if (!warning) return;
    this.emit(warning);
    if (this.setup.config.training.onDivergence === 'stop') this.divergedBy ??= warning;
  }

  private checkpoint(): void {
    const { config, modules } = this.setup;
    const meta: CheckpointMeta = {
      method: config.method.name,
      tasks: config.tasks.map((t) => t.name),
      blocks: this.init.blocks,
      residual: this.init.residual,
      baseModel: config.baseModel,
      moduleMap: Object.fromEntries(modules.map((m) => [m.peftName, { initializer: m.initializer, node: m.node, op: m.op, stored: m.stored }])),
      step: this.step,
    };
    const best = this.bestPending;
    this.bestPending = false;
    const trainer: TrainerState = { step: this.step, totalSteps: this.totalSteps, rng: null, mixer: this.mixer.getState(), extra: { best: this.best.current } };
    const dir = writeCheckpoint(this.folder.checkpointsDir(), {
      meta,
      rank: config.lora.r,
      alpha: config.lora.alpha,
      targetModules: [...new Set(modules.map((m) => m.peftName.split('.').pop()!))],
      adapters: this.graph.adapters,
      values: this.init.values,
      init: this.init.residual ? this.init.init : undefined,
      task: this.setup.head,
      saved: this.setup.saved,
      optimizer: this.optimizer.exportState(),
      trainer,
    });
    this.lastCheckpointDir = dir;
    this.emit({ type: 'checkpoint', step: this.step, path: path.relative(this.folder.dir, dir), ...(best ? { best } : {}) });
    this.writeStatus('running');
  }

  private writeStatus(state: 'running' | 'finished' | 'stopped' | 'diverged', error?: string): void {
    const last = this.lastCheckpointDir;
    this.folder.writeStatus({
      state,
      step: this.step,
      totalSteps: this.totalSteps,
      lastCheckpoint: last ? path.relative(this.folder.dir, last) : undefined,
      best: this.best.current,
      pid: state === 'running' ? process.pid : undefined,
      error,
    });
  }

  /** Trains until the last step or until `signal` aborts (checked between steps). */
  async train(signal?: AbortSignal, onStep?: (step: number) => void): Promise<{ state: 'finished' | 'stopped' | 'diverged'; error?: string }> {
    const { config, data, tokenizer } = this.setup;
    const t = config.training;
    const schedule = makeLrSchedule({ kind: t.schedule, peakLr: t.lr, totalSteps: this.totalSteps, warmupSteps: t.warmupSteps });
    const collate = { padding: t.padding, seqLength: t.seqLength, padId: tokenizer.special.pad };
    const trainSets = data.tasks.map((task) => task.train);
    const every = (n: number) => n > 0 && this.step % n === 0;
    this.emitStart();
    this.writeStatus('running');
    const phase = this.options.onPhase;
    if (this.step === 0) {
      this.emitAngles();
      if (t.evalEvery > 0) {
        phase('eval', 0, 1);
        await this.evaluate();
      }
    }
    if (this.step < this.totalSteps) phase('first-step', 0, 1);
    let stopped = false;
    try {
      while (this.step < this.totalSteps) {
        if (signal?.aborted) {
          stopped = true;
          break;
        }
        if (this.divergedBy) break;
        const t0 = performance.now();
        const microBatches = Array.from({ length: t.gradAccumulation }, () => engineBatch(this.mixer.nextBatch(trainSets, t.batchSize, collate)));
        const result = await accumulatedStep(this.session, microBatches, this.init.values, this.setup.head, config.tasks.length);
        const gradNorm = t.gradClip > 0 ? clipGradNorm(result.grads, t.gradClip) : globalGradNorm(result.grads);
        if (!Number.isFinite(gradNorm)) {
          throw new Error(
            `step ${this.step + 1}: the gradient norm is ${gradNorm} (loss ${result.loss}); training diverged — lower training.lr (now ${t.lr}) or set training.gradClip`,
          );
        }
        const lr = schedule(this.step + 1);
        this.optimizer.step(this.init.values, result.grads, lr);
        this.step++;
        onStep?.(this.step);
        const ms = performance.now() - t0;
        const present = new Set(microBatches.flatMap((b) => Array.from(b.taskIds ?? [])));
        this.emit({
          type: 'step',
          step: this.step,
          time: new Date().toISOString(),
          loss: result.loss,
          taskLoss: result.taskLoss,
          perTaskLoss: config.tasks.map((_, k) => (present.has(k) ? result.perTaskLoss![k] : null)),
          sprLoss: result.terms.get('spr') ?? null,
          lr,
          gradNorm,
          tokensPerSecond: result.tokens / (ms / 1000),
          stepMs: ms,
        });
        this.watchDivergence(this.divergence.onStep(this.step, result.taskLoss));
        if (every(anglesInterval(this.totalSteps))) this.emitAngles();
        if (every(t.evalEvery) && this.step < this.totalSteps) await this.evaluate();
        if (this.earlyStop) break;
        if ((every(t.checkpointEvery) || this.bestPending) && this.step < this.totalSteps && !this.divergedBy) this.checkpoint();
      }
      if (this.divergedBy) {
        // The diverged weights are not checkpointed: the run's last checkpoint stays the one before the warning.
        const error = this.divergedBy.message;
        this.emit({ type: 'end', step: this.step, time: new Date().toISOString(), state: 'diverged', error });
        this.writeStatus('diverged', error);
        return { state: 'diverged', error };
      }
      // An early stop comes right after an eval of this step.
      if (!stopped && !this.earlyStop) {
        if (!every(anglesInterval(this.totalSteps))) this.emitAngles();
        await this.evaluate();
      }
      this.checkpoint();
      const state = stopped ? 'stopped' : 'finished';
      this.emit({ type: 'end', step: this.step, time: new Date().toISOString(), state, ...(this.earlyStop ? { earlyStop: this.earlyStop } : {}) });
      this.writeStatus(state);
      return { state };
    } finally {
      await this.session.release();
      await this.evalSession.release();
    }
  }
}

