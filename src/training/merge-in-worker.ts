// Runs a merge in a forked worker so ONNX Runtime and the weight rewrite never block the extension host.
import type { MergeRequest, WorkerMerged, WorkerToHostMessage } from '../protocol/worker-messages';
import { runOneShotWorker } from './one-shot-worker';

export type MergeSummary = Omit<WorkerMerged, 'type'>;

export function mergeInWorker(workerPath: string, request: MergeRequest, onLog: (line: string) => void, signal?: AbortSignal): Promise<MergeSummary> {
  return runOneShotWorker<WorkerToHostMessage, MergeSummary>(workerPath, request, {
    what: 'merge',
    resultOf: (message) => {
      if (message.type !== 'merged') return undefined;
      const { type: _type, ...summary } = message;
      return summary;
    },
    lineOf: (message) => (message.type === 'log' ? `${message.message}\n` : undefined),
    onLine: onLog,
    output: 'log',
  }, signal);
}
