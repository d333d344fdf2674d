// The playground's prompt in a forked worker: ONNX Runtime generating must neither block nor crash the host.
import type { PlaygroundResult } from '../protocol/playground';
import type { GenerateRequest, WorkerToHostMessage } from '../protocol/worker-messages';
import { runOneShotWorker } from './one-shot-worker';

export function generateInWorker(workerPath: string, request: GenerateRequest, onLog: (line: string) => void, signal?: AbortSignal): Promise<PlaygroundResult> {
  return runOneShotWorker<WorkerToHostMessage, PlaygroundResult>(workerPath, request, {
    what: 'generation',
    resultOf: (message) => (message.type === 'generated' ? message.result : undefined),
    lineOf: (message) => (message.type === 'log' ? `${message.message}\n` : undefined),
    onLine: onLog,
    output: 'log',
  }, signal);
}
