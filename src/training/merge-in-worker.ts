// Runs a merge in a forked worker so ONNX Runtime and the weight rewrite never block the extension host.
import { fork } from 'child_process';
import type { MergeRequest, WorkerMerged, WorkerToHostMessage } from '../protocol/worker-messages';

export type MergeSummary = Omit<WorkerMerged, 'type'>;

export function mergeInWorker(workerPath: string, request: MergeRequest, onLog: (line: string) => void, signal?: AbortSignal): Promise<MergeSummary> {
  return new Promise((resolve, reject) => {
    const child = fork(workerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    let result: MergeSummary | undefined;
    let error: string | undefined;
    child.stdout?.on('data', (c: Buffer) => onLog(c.toString()));
    child.stderr?.on('data', (c: Buffer) => onLog(c.toString()));
    child.on('message', (message: WorkerToHostMessage) => {
      if (message.type === 'merged') {
        const { type: _type, ...summary } = message;
        result = summary;
      } else if (message.type === 'failed') error = message.error;
      else if (message.type === 'log') onLog(`${message.message}\n`);
    });
    signal?.addEventListener('abort', () => child.kill('SIGKILL'));
    child.on('exit', (code, sig) => {
      if (result) resolve(result);
      else reject(new Error(error ?? (signal?.aborted ? 'merge cancelled' : `merge worker ${sig ? `was killed (${sig})` : `exited with code ${code}`} without a result`)));
    });
    child.send(request);
  });
}
