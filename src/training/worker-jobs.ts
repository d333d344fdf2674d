// The one-shot jobs of the training worker process (dist/training-worker.js): merge, export-job and the
// playground's generation, each one request answered by one result message, its log lines passed on. ONNX
// Runtime and the file writes never block or crash the extension host.
import type { PlaygroundResult } from '../protocol/playground';
import type { ExportJobRequest, GenerateRequest, MergeRequest, WorkerJobExported, WorkerMerged, WorkerToHostMessage } from '../protocol/worker-messages';
import { runOneShotWorker } from './one-shot-worker';

export type MergeSummary = Omit<WorkerMerged, 'type'>;
export type ExportedJobSummary = Omit<WorkerJobExported, 'type'>;

type OnLog = (line: string) => void;

function workerJob<Result>(what: string, workerPath: string, request: MergeRequest | ExportJobRequest | GenerateRequest, resultOf: (message: WorkerToHostMessage) => Result | undefined, onLog: OnLog, signal?: AbortSignal): Promise<Result> {
  return runOneShotWorker<WorkerToHostMessage, Result>(workerPath, request, {
    what,
    resultOf,
    lineOf: (message) => (message.type === 'log' ? `${message.message}\n` : undefined),
    onLine: onLog,
    output: 'log',
  }, signal);
}

export function mergeInWorker(workerPath: string, request: MergeRequest, onLog: OnLog, signal?: AbortSignal): Promise<MergeSummary> {
  return workerJob('merge', workerPath, request, (m) => (m.type === 'merged' ? withoutType(m) : undefined), onLog, signal);
}

export function exportJobInWorker(workerPath: string, request: ExportJobRequest, onLog: OnLog, signal?: AbortSignal): Promise<ExportedJobSummary> {
  return workerJob('export', workerPath, request, (m) => (m.type === 'jobExported' ? withoutType(m) : undefined), onLog, signal);
}

export function generateInWorker(workerPath: string, request: GenerateRequest, onLog: OnLog, signal?: AbortSignal): Promise<PlaygroundResult> {
  return workerJob('generation', workerPath, request, (m) => (m.type === 'generated' ? m.result : undefined), onLog, signal);
}

function withoutType<M extends { type: string }>(message: M): Omit<M, 'type'> {
  const { type: _type, ...rest } = message;
  return rest;
}
