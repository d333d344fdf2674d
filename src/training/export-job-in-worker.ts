// Exports a training job in a forked worker: HASI's preview runs ONNX Runtime, which must not block the
// extension host. Same shape as merge-in-worker.ts: one request, log lines, one result or a failure message.
import { fork } from 'child_process';
import type { ExportJobRequest, WorkerJobExported, WorkerToHostMessage } from '../protocol/worker-messages';

export type ExportedJobSummary = Omit<WorkerJobExported, 'type'>;

export function exportJobInWorker(workerPath: string, request: ExportJobRequest, onLog: (line: string) => void, signal?: AbortSignal): Promise<ExportedJobSummary> {
  return new Promise((resolve, reject) => {
    const child = fork(workerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    let result: ExportedJobSummary | undefined;
    let error: string | undefined;
    child.stdout?.on('data', (c: Buffer) => onLog(c.toString()));
    child.stderr?.on('data', (c: Buffer) => onLog(c.toString()));
    child.on('message', (message: WorkerToHostMessage) => {
      if (message.type === 'jobExported') {
        const { type: _type, ...summary } = message;
        result = summary;
      } else if (message.type === 'failed') error = message.error;
      else if (message.type === 'log') onLog(`${message.message}\n`);
    });
    signal?.addEventListener('abort', () => child.kill('SIGKILL'));
    child.on('exit', (code, sig) => {
      if (result) resolve(result);
      else reject(new Error(error ?? (signal?.aborted ? 'export cancelled' : `export worker ${sig ? `was killed (${sig})` : `exited with code ${code}`} without a result`)));
    });
    child.send(request);
  });
}
