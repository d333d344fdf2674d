// The worker's message loop, kept apart from the entry file so tests can drive it with a fake trainer.
// One process does one job: `start` runs the trainer (`stop` aborts it cooperatively), `merge` merges a
// checkpoint or `exportJob` writes a training job folder; the process exits once the job has ended and its last
// message is flushed.
import type { RunEvent } from '../protocol/run-events';
import type { ExportJobRequest, HostToWorkerMessage, MergeRequest, StartTrainingRequest, WorkerJobExported, WorkerMerged, WorkerToHostMessage } from '../protocol/worker-messages';

export type TrainingRunner = (
  experimentFile: string,
  options: { resumeFrom?: string; device?: 'auto' | 'cuda' | 'cpu'; threads?: number; runsDir?: string; workspaceRoot?: string; signal?: AbortSignal; onLog?: (line: string) => void; onNotice?: (line: string) => void },
  onEvent?: (e: RunEvent, runDir: string) => void,
) => Promise<{ runDir: string; state: 'finished' | 'stopped' | 'failed' | 'diverged'; error?: string }>;

/** Merges and verifies; resolves with the summary the host shows (the full report is on disk). */
export type MergeRunner = (request: MergeRequest, onNotice: (message: string) => void) => Promise<Omit<WorkerMerged, 'type'>>;

/** Writes the job folder; resolves with what the host shows. */
export type ExportJobRunner = (request: ExportJobRequest, onLog: (line: string) => void) => Promise<Omit<WorkerJobExported, 'type'>>;

/** The slice of `process` the loop needs (a forked child has `send` and `on('message')`). */
export interface WorkerPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  send?(message: WorkerToHostMessage, callback?: (error: Error | null) => void): boolean;
}

/** Returns `stop` for the entry to call when the host goes away (IPC disconnect). */
export function serveTrainingRequests(port: WorkerPort, runTraining: TrainingRunner, exit: (code: number) => void, runMerge?: MergeRunner, runExportJob?: ExportJobRunner): { stop(): void } {
  const abort = new AbortController();
  let started = false;
  let lastRunDir: string | undefined;
  const send = (message: WorkerToHostMessage): Promise<void> =>
    new Promise((resolve) => {
      if (!port.send) return resolve();
      port.send(message, () => resolve());
    });

  const run = async (request: StartTrainingRequest): Promise<void> => {
    const options = {
      resumeFrom: request.resumeFrom,
      device: request.device,
      threads: request.threads,
      runsDir: request.runsDir,
      workspaceRoot: request.workspaceRoot,
      signal: abort.signal,
      onLog: (line: string) => void send({ type: 'log', level: 'info', message: line }),
      // The host tells the device once, in its own words, from the start event (provider, fallbackReason).
      onNotice: () => undefined,
    };
    try {
      const result = await runTraining(request.experimentFile, options, (event, runDir) => {
        lastRunDir = runDir;
        void send({ type: 'event', runDir, event });
      });
      await send({ type: 'finished', runDir: result.runDir, state: result.state, ...(result.error ? { error: result.error } : {}) });
      exit(0);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      await send({ type: 'failed', runDir: lastRunDir, error });
      exit(1);
    }
  };

  const merge = async (request: MergeRequest): Promise<void> => {
    try {
      const result = await runMerge!(request, (message) => void send({ type: 'log', level: 'info', message }));
      await send({ type: 'merged', ...result });
      exit(0);
    } catch (e) {
      await send({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
      exit(1);
    }
  };

  const exportJob = async (request: ExportJobRequest): Promise<void> => {
    try {
      const result = await runExportJob!(request, (message) => void send({ type: 'log', level: 'info', message }));
      await send({ type: 'jobExported', ...result });
      exit(0);
    } catch (e) {
      await send({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
      exit(1);
    }
  };

  port.on('message', (raw) => {
    const message = raw as HostToWorkerMessage;
    if (message?.type === 'start' && !started && typeof message.experimentFile === 'string') {
      started = true;
      void run(message);
    } else if (message?.type === 'merge' && !started && runMerge && typeof message.input === 'string') {
      started = true;
      void merge(message);
    } else if (message?.type === 'exportJob' && !started && runExportJob && typeof message.experimentFile === 'string' && typeof message.outDir === 'string') {
      started = true;
      void exportJob(message);
    } else if (message?.type === 'stop') {
      abort.abort();
    } else {
      void send({ type: 'log', level: 'warn', message: `training worker: ignored message ${JSON.stringify(raw)}` });
    }
  });
  return { stop: () => abort.abort() };
}
