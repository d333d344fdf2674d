// Host side of one training process: forks the bundled worker, relays its run events, asks it to stop
// cooperatively and kills it if it does not within the timeout. Whatever the worker does, the host survives
// and the run folder ends in a final state (markRunFailed when the worker could not write one).
import { fork, type ChildProcess } from 'child_process';
import type { RunEvent } from '../protocol/run-events';
import type { StartTrainingRequest, WorkerToHostMessage } from '../protocol/worker-messages';
import { markRunFailed } from '../core/run-folder';

export interface TrainingOutcome {
  state: 'finished' | 'stopped' | 'failed' | 'diverged';
  runDir?: string;
  error?: string;
}

export interface TrainingWorkerListener {
  onEvent(event: RunEvent, runDir: string): void;
  onLog(line: string): void;
  onExit(outcome: TrainingOutcome): void;
}

export interface TrainingWorkerOptions {
  /** Time the trainer gets to finish its step and checkpoint after a stop request. */
  stopTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const stderrTailChars = 4000;

export class TrainingWorkerClient {
  private readonly child: ChildProcess;
  private runDir?: string;
  private reported?: TrainingOutcome;
  private stderrTail = '';
  private killTimer?: NodeJS.Timeout;
  private stopRequested = false;
  private exited = false;

  constructor(workerPath: string, request: StartTrainingRequest, private readonly listener: TrainingWorkerListener, private readonly options: TrainingWorkerOptions = {}) {
    // execArgv [] keeps the host's --inspect flags out of the child; 'ipc' carries the protocol.
    this.child = fork(workerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [], env: options.env ?? process.env });
    this.child.stdout?.on('data', (chunk: Buffer) => this.log(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrTail = (this.stderrTail + text).slice(-stderrTailChars);
      this.log(text);
    });
    this.child.on('message', (message: WorkerToHostMessage) => this.handle(message));
    this.child.on('error', (e) => this.log(`training worker: ${e.message}\n`));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    this.child.send(request);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get currentRunDir(): string | undefined {
    return this.runDir;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Cooperative stop; SIGKILL after the timeout (the run is then marked failed, its last checkpoint kept). */
  stop(): void {
    if (this.exited || this.stopRequested) return;
    this.stopRequested = true;
    if (this.child.connected) this.child.send({ type: 'stop' });
    const timeout = this.options.stopTimeoutMs ?? 60_000;
    this.killTimer = setTimeout(() => {
      this.log(`training worker did not stop within ${timeout} ms; killing it\n`);
      this.child.kill('SIGKILL');
    }, timeout);
  }

  /** Immediate kill (extension deactivation). */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private handle(message: WorkerToHostMessage): void {
    switch (message.type) {
      case 'event':
        // '' while a new run's data is checked, before its folder exists.
        if (message.runDir) this.runDir = message.runDir;
        this.listener.onEvent(message.event, message.runDir);
        break;
      case 'log':
        this.log(`[${message.level}] ${message.message}\n`);
        break;
      case 'finished':
        this.runDir = message.runDir;
        this.reported = { state: message.state, runDir: message.runDir, error: message.error };
        break;
      case 'failed':
        this.runDir = message.runDir ?? this.runDir;
        this.reported = { state: 'failed', runDir: this.runDir, error: message.error };
        this.log(`training failed: ${message.error}\n`);
        break;
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    let outcome = this.reported;
    if (!outcome || (outcome.state !== 'failed' && code !== 0)) {
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      const tail = this.stderrTail.trim();
      const error = `training worker ${how} before ending the run${tail ? `; last output:\n${tail}` : ''}`;
      outcome = { state: 'failed', runDir: this.runDir, error };
    }
    if (outcome.state === 'failed' && outcome.runDir) {
      try {
        markRunFailed(outcome.runDir, outcome.error ?? 'training failed');
      } catch (e) {
        this.log(`could not record the failure in ${outcome.runDir}: ${(e as Error).message}\n`);
      }
    }
    this.listener.onExit(outcome);
  }

  private log(text: string): void {
    this.listener.onLog(text);
  }
}
