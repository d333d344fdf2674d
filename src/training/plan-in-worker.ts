// Runs `thanora plan` in a forked worker (dist/plan-worker.js) so the preview and SVDs never block the
// extension host; the abort signal kills it.
import { fork } from 'child_process';
import type { AllocationPlan, PlanRequest, PlanWorkerMessage } from '../protocol/plan-messages';

export function planInWorker(workerPath: string, request: PlanRequest, onProgress: (line: string) => void, signal?: AbortSignal): Promise<AllocationPlan> {
  return new Promise((resolve, reject) => {
    const child = fork(workerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    let plan: AllocationPlan | undefined;
    let error: string | undefined;
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    child.on('message', (message: PlanWorkerMessage) => {
      if (message.type === 'planned') plan = message.plan;
      else if (message.type === 'failed') error = message.error;
      else onProgress(message.message);
    });
    const abort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', abort);
    child.on('exit', (code, sig) => {
      signal?.removeEventListener('abort', abort);
      if (plan) resolve(plan);
      else if (error) reject(new Error(error));
      else if (signal?.aborted) reject(new Error('allocation preview cancelled'));
      else reject(new Error(`plan worker ${sig ? `was killed (${sig})` : `exited with code ${code}`} without a plan${stderr.trim() ? `; last output:\n${stderr.trim()}` : ''}`));
    });
    child.send(request);
  });
}
