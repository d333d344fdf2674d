// Runs `thanora plan` in a forked worker (dist/plan-worker.js) so the preview and SVDs never block the
// extension host; the abort signal kills it.
import type { AllocationPlan, PlanRequest, PlanWorkerMessage } from '../protocol/plan-messages';
import { runOneShotWorker } from './one-shot-worker';

export function planInWorker(workerPath: string, request: PlanRequest, onProgress: (line: string) => void, signal?: AbortSignal): Promise<AllocationPlan> {
  return runOneShotWorker<PlanWorkerMessage, AllocationPlan>(workerPath, request, {
    what: 'allocation preview',
    resultOf: (message) => (message.type === 'planned' ? message.plan : undefined),
    lineOf: (message) => ('message' in message ? message.message : undefined),
    onLine: onProgress,
    output: 'tail',
  }, signal);
}
