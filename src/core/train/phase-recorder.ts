// Phase progress (PhaseEvent) as a run prepares, throttled: a LoRA initialises hundreds of modules in a blink.
import type { PhaseEvent } from '../../protocol/run-events';

/** Phase events at most this often, besides each new phase and each phase's last part. */
const phaseIntervalMs = 500;

export type PhaseReporter = (phase: PhaseEvent['phase'], done: number, total: number) => void;

/** Records phase progress, skipping updates of the same phase that come faster than phaseIntervalMs. */
export function phaseRecorder(record: (e: PhaseEvent) => void): PhaseReporter {
  let last: { phase: string; at: number } | undefined;
  return (phase, done, total) => {
    const now = Date.now();
    if (last && last.phase === phase && done < total && now - last.at < phaseIntervalMs) return;
    last = { phase, at: now };
    record({ type: 'phase', phase, done, total, time: new Date(now).toISOString() });
  };
}
