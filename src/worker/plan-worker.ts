// Entry of the allocation-preview process forked by the extension host (bundled as dist/plan-worker.js): one
// `thanora plan` over IPC (src/protocol/plan-messages.ts), then it exits. Its SVDs would block the host.
import { loadPlanSetup, planAllocation } from '../core/plan/allocation-plan';
import type { PlanRequest, PlanWorkerMessage } from '../protocol/plan-messages';

const send = (message: PlanWorkerMessage) => new Promise<void>((resolve) => process.send!(message, undefined, {}, () => resolve()));

process.once('message', (request: PlanRequest) => {
  void (async () => {
    try {
      const setup = loadPlanSetup(request.experimentFile, { workspaceRoot: request.workspaceRoot });
      const progress = (message: string) => void send({ type: 'progress', message });
      const plan = await planAllocation(setup, { onProgress: progress, onNotice: progress });
      await send({ type: 'planned', plan });
    } catch (e) {
      await send({ type: 'failed', error: (e as Error).message });
    }
    process.exit(0);
  })();
});
// The host closed: nothing to save (the cache is written file by file, atomically).
process.on('disconnect', () => process.exit(0));
