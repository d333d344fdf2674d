// Synthetic run folders for tests: plausible RunEvents of the protocol (src/protocol/run-events.ts) from a
// closed-form recipe, so the dashboard and host tests need no training. Loss ~ a·e^(−step/τ) + floor.
import * as path from 'path';
import * as fs from 'fs';
import { writeJsonAtomic } from '../../src/core/io/atomic-write';
import { RUN_FILES, type MethodName, type PairAngles, type RunEvent, type RunStatus } from '../../src/protocol/run-events';

export interface SyntheticRunOptions {
  runId: string;
  method?: MethodName;
  label?: string;
  tasks?: string[];
  layers?: number;
  steps?: number;
  /** Steps written so far (< steps leaves the run "running"). */
  upToStep?: number;
  evalEvery?: number;
  /** Scales the loss curve, so overlaid runs differ. */
  lossScale?: number;
  /** Relative noise on the per-task losses and throughput (deterministic), as real batches give. */
  noise?: number;
}

function pairsFor(taskCount: number, step: number, layer: number): PairAngles[] {
  const pairs: PairAngles[] = [];
  for (let i = 0; i < taskCount; i++) {
    for (let j = i + 1; j < taskCount; j++) {
      // Angles open up from ~40° towards ~80° as SPR pushes the task subspaces apart.
      const mean = 40 + 40 * (1 - Math.exp(-step / 20)) + 2 * layer + i;
      pairs.push({ pair: [i, j], meanA: mean, minA: mean - 15, meanB: mean - 5, minB: mean - 20 });
    }
  }
  return pairs;
}

export function syntheticRunEvents(options: SyntheticRunOptions): RunEvent[] {
  const tasks = options.tasks ?? ['reverse', 'uppercase'];
  const layerCount = options.layers ?? 2;
  const steps = options.steps ?? 60;
  const upTo = options.upToStep ?? steps;
  const evalEvery = options.evalEvery ?? 20;
  const scale = options.lossScale ?? 1;
  const method = options.method ?? 'thanora';
  const modules: string[] = [];
  const layers: number[] = [];
  for (let l = 0; l < layerCount; l++) {
    for (const proj of ['q_proj', 'v_proj']) {
      modules.push(`model.layers.${l}.self_attn.${proj}`);
      layers.push(l);
    }
  }
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const time = (step: number) => new Date(t0 + step * 500).toISOString();
  const events: RunEvent[] = [
    { type: 'start', time: time(0), runId: options.runId, method, label: options.label ?? method, tasks, modules, layers, totalSteps: steps, rank: 8, provider: 'cpu', fromStep: 0 },
  ];
  if (method === 'thanora') {
    events.push({
      type: 'allocation',
      step: 0,
      modules: modules.map((module, m) => {
        const first = 2 + (m % 3);
        // Two tasks share 6; further tasks get 1–4 by module, so every task's heatmap differs.
        const ranks = tasks.map((_, t) => (t === 0 ? first : t === 1 ? 6 - first : 1 + ((m + t) % 4)));
        const entropies = tasks.map((_, t) => (t === 0 ? 0.4 + 0.1 * (m % 3) : t === 1 ? 0.7 - 0.05 * (m % 4) : 0.5 + 0.02 * t));
        return { module, layer: layers[m], ranks, cooperativeRank: 2, entropies };
      }),
    });
  }
  let seed = 12345;
  // Uniform in [−1, 1) from a linear congruential generator, so the same options give the same run.
  const jitter = () => (options.noise ?? 0) * ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 30 - 1);
  for (let step = 1; step <= upTo; step++) {
    const perTask = tasks.map((_, t) => (scale * (2 + t) * Math.exp(-step / 15) + 0.3 + 0.1 * t) * (1 + jitter()));
    const taskLoss = perTask.reduce((a, b) => a + b, 0) / perTask.length;
    const spr = method === 'thanora' ? 0.5 * Math.exp(-step / 10) : null;
    events.push({ type: 'step', step, time: time(step), loss: taskLoss + (spr ?? 0) * 0.1, taskLoss, perTaskLoss: perTask, sprLoss: spr, lr: 1e-3, gradNorm: 1 / step, tokensPerSecond: 900 + 10 * (step % 7) + 300 * jitter(), stepMs: 120 });
    if (step % 10 === 0) {
      const moduleAngles = modules.map((module, m) => ({ module, layer: layers[m], pairs: pairsFor(tasks.length, step, layers[m]), effectiveRank: { tasks: tasks.map(() => 2.5), cooperative: 1.5, delta: 5 } }));
      const layerAngles = [...new Set(layers)].map((layer) => ({ layer, pairs: pairsFor(tasks.length, step, layer) }));
      events.push({ type: 'angles', step, modules: moduleAngles, layers: layerAngles });
    }
    if (step % evalEvery === 0 || step === steps) {
      events.push({ type: 'eval', step, tasks: tasks.map((task, t) => ({ task, loss: perTask[t], accuracy: Math.min(1, 0.2 + step / (steps * (1.2 + 0.3 * t))), examples: 32 })) });
    }
  }
  if (upTo >= steps) events.push({ type: 'end', step: steps, time: time(steps), state: 'finished' });
  return events;
}

/** Writes `<parent>/<runId>/` with metrics.jsonl and status.json; returns the run folder. */
export function writeSyntheticRun(parent: string, options: SyntheticRunOptions): string {
  const runDir = path.join(parent, options.runId);
  fs.mkdirSync(runDir, { recursive: true });
  const events = syntheticRunEvents(options);
  fs.writeFileSync(path.join(runDir, RUN_FILES.metrics), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const last = events[events.length - 1];
  const steps = options.steps ?? 60;
  const status: RunStatus = {
    state: last.type === 'end' ? last.state : 'running',
    runId: options.runId,
    step: options.upToStep ?? steps,
    totalSteps: steps,
    updated: new Date().toISOString(),
  };
  // A live run's writer is this test process, so readers see it running, not interrupted.
  if (status.state === 'running') status.pid = process.pid;
  writeJsonAtomic(path.join(runDir, RUN_FILES.status), status);
  return runDir;
}
