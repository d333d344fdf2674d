// Exports a training job in a forked worker: HASI's preview runs ONNX Runtime, which must not block the
// extension host.
import type { ExportJobRequest, WorkerJobExported, WorkerToHostMessage } from '../protocol/worker-messages';
import { runOneShotWorker } from './one-shot-worker';

export type ExportedJobSummary = Omit<WorkerJobExported, 'type'>;

export function exportJobInWorker(workerPath: string, request: ExportJobRequest, onLog: (line: string) => void, signal?: AbortSignal): Promise<ExportedJobSummary> {
  return runOneShotWorker<WorkerToHostMessage, ExportedJobSummary>(workerPath, request, {
    what: 'export',
    resultOf: (message) => {
      if (message.type !== 'jobExported') return undefined;
      const { type: _type, ...summary } = message;
      return summary;
    },
    lineOf: (message) => (message.type === 'log' ? `${message.message}\n` : undefined),
    onLine: onLog,
    output: 'log',
  }, signal);
}
