// One request to a forked worker, answered by one result (merge, export-job, allocation preview): ONNX Runtime and
// the file writes run outside the extension host, and a crash there is a rejected promise here, never the host's.
// The worker sends log or progress lines, then its result or { type: 'failed', error }, then exits; the abort
// signal kills it.
import { fork, type Serializable } from 'child_process';

export interface OneShotJob<Message extends { type: string }, Result> {
  /** Names the job in errors: "merge", "export", "allocation preview". */
  what: string;
  /** The result carried by a message, or undefined when the message is not the result. */
  resultOf(message: Message): Result | undefined;
  /** A line to show for a message that is neither the result nor the failure, or undefined. */
  lineOf(message: Message): string | undefined;
  onLine(line: string): void;
  /** 'log': the worker's stdout and stderr go to onLine as they come; 'tail': they are kept and the last of
   * stderr is quoted when the worker dies without an answer. */
  output: 'log' | 'tail';
}

export function runOneShotWorker<Message extends { type: string }, Result>(workerPath: string, request: Serializable, job: OneShotJob<Message, Result>, signal?: AbortSignal): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(workerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    let result: Result | undefined;
    let error: string | undefined;
    let stderrTail = '';
    if (job.output === 'log') {
      child.stdout?.on('data', (c: Buffer) => job.onLine(c.toString()));
      child.stderr?.on('data', (c: Buffer) => job.onLine(c.toString()));
    } else {
      child.stderr?.on('data', (c: Buffer) => (stderrTail = (stderrTail + c.toString()).slice(-2000)));
    }
    child.on('message', (message: Message) => {
      const answer = job.resultOf(message);
      if (answer !== undefined) result = answer;
      else if (message.type === 'failed' && 'error' in message) error = String(message.error);
      else {
        const line = job.lineOf(message);
        if (line !== undefined) job.onLine(line);
      }
    });
    const abort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', abort);
    child.on('exit', (code, sig) => {
      signal?.removeEventListener('abort', abort);
      if (result !== undefined) resolve(result);
      else if (error !== undefined) reject(new Error(error));
      else if (signal?.aborted) reject(new Error(`${job.what} cancelled`));
      else {
        const why = sig ? `was killed (${sig})` : `exited with code ${code}`;
        const tail = stderrTail.trim() ? `; last output:\n${stderrTail.trim()}` : '';
        reject(new Error(`${job.what} worker ${why} without a result${tail}`));
      }
    });
    child.send(request);
  });
}
