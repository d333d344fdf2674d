// What a run's row in the runs table says: its settings (config.json flattened to dotted keys, so two runs'
// settings can be compared key by key) and, per task, the eval accuracy of the base model (the step-0 eval:
// every method starts from an adapter that leaves the model's output unchanged), at the end, and at its best.
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, type EvalEvent, type RunEvent, type RunResults, type TaskResult } from '../../protocol/run-events';

type Leaf = string | number | boolean | null;

/** Keys that differ between every two runs by construction (where the file and the runs are), not settings. */
const notSettings = new Set(['file', 'output']);

/** {"lora": {"r": 8}, "tasks": [{"name": "a"}]} → {"lora.r": 8, "tasks.0.name": "a"}. */
export function flattenSettings(value: unknown, prefix = '', out: Record<string, Leaf> = {}): Record<string, Leaf> {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (prefix === '' && notSettings.has(key)) continue;
      flattenSettings(child, prefix ? `${prefix}.${key}` : key, out);
    }
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
    out[prefix] = value;
  }
  return out;
}

/** Per task: base (the eval at step 0), final (the last eval) and best (highest accuracy) of the run's evals. */
export function accuracyResults(events: readonly RunEvent[]): TaskResult[] {
  const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
  const tasks = [...new Set(evals.flatMap((e) => e.tasks.map((t) => t.task)))];
  return tasks.map((task) => {
    const points = evals.flatMap((e) => e.tasks.filter((t) => t.task === task).map((t) => ({ step: e.step, accuracy: t.accuracy })));
    const base = points.find((p) => p.step === 0);
    const best = points.reduce((a, b) => (b.accuracy > a.accuracy ? b : a), points[0]);
    return { task, base: base?.accuracy ?? null, final: points[points.length - 1].accuracy, best: best.accuracy, bestStep: best.step };
  });
}

export function runResults(runDir: string, events: readonly RunEvent[]): RunResults {
  let settings: Record<string, Leaf> = {};
  try {
    settings = flattenSettings(JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.config), 'utf8')));
  } catch {
    // A run folder without a readable config.json lists no settings; its row still shows its metrics.
  }
  return { settings, accuracy: accuracyResults(events) };
}
