// The worker's message loop, kept apart from the entry file so tests can drive it with a fake trainer.
// One process does one job: `start` runs the trainer (`stop` aborts it cooperatively), `merge` merges a
// checkpoint, `exportJob` writes a training job folder or `generate` answers a playground prompt; the process
// exits once the job has ended and its last message is flushed.
import type { RunEvent } from '../protocol/run-events';
import type { PlaygroundResult } from '../protocol/playground';
import type { ExportJobRequest, GenerateRequest, HostToWorkerMessage, MergeRequest, StartTrainingRequest, WorkerJobExported, WorkerMerged, WorkerToHostMessage } from '../protocol/worker-messages';

export type TrainingRunner = (
  experimentFile: string,
  options: { resumeFrom?: string; device?: 'auto' | 'cuda' | 'cpu'; threads?: number; runsDir?: string; workspaceRoot?: string; signal?: AbortSignal; onLog?: (line: string) => void; onNotice?: (line: string) => void },
  onEvent?: (e: RunEvent, runDir: string) => void,
) => Promise<{ runDir: string; state: 'finished' | 'stopped' | 'failed' | 'diverged'; error?: string }>;

/** Merges and verifies; resolves with the summary the host shows (the full report is on disk). */
export type MergeRunner = (request: MergeRequest, onNotice: (message: string) => void) => Promise<Omit<WorkerMerged, 'type'>>;

/** Writes the job folder; resolves with what the host shows. */
export type ExportJobRunner = (request: ExportJobRequest, onLog: (line: string) => void) => Promise<Omit<WorkerJobExported, 'type'>>;

/** Completes the prompt with the run's base and tuned model. */
export type GenerateRunner = (request: GenerateRequest, onNotice: (message: string) => void) => Promise<PlaygroundResult>;

/** The one-shot jobs besides training, each optional (tests pass fakes for the ones they drive). */
export interface JobRunners {
  runMerge?: MergeRunner;
  runExportJob?: ExportJobRunner;
  runGenerate?: GenerateRunner;
}

/** The slice of `process` the loop needs (a forked child has `send` and `on('message')`). */
export interface WorkerPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  send?(message: WorkerToHostMessage, callback?: (error: Error | null) => void): boolean;
}

/** Returns `stop` for the entry to call when the host goes away (IPC disconnect). */
export function serveTrainingRequests(port: WorkerPort, runTraining: TrainingRunner, exit: (code: number) => void, runners: JobRunners = {}): { stop(): void } {
  const { runMerge, runExportJob, runGenerate } = runners;
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

  // A one-shot job: its result as one message, or its error as `failed`; then the process exits.
  const job = async (work: () => Promise<WorkerToHostMessage>): Promise<void> => {
    try {
      await send(await work());
      exit(0);
    } catch (e) {
      await send({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
      exit(1);
    }
  };
  const log = (message: string) => void send({ type: 'log', level: 'info', message });
  const merge = (request: MergeRequest) => job(async () => ({ type: 'merged', ...(await runMerge!(request, log)) }));
  const exportJob = (request: ExportJobRequest) => job(async () => ({ type: 'jobExported', ...(await runExportJob!(request, log)) }));
  const generate = (request: GenerateRequest) => job(async () => ({ type: 'generated', result: await runGenerate!(request, log) }));

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
    } else if (message?.type === 'generate' && !started && runGenerate && typeof message.runDir === 'string' && typeof message.prompt === 'string') {
      started = true;
      void generate(message);
    } else if (message?.type === 'stop') {
      abort.abort();
    } else {
      void send({ type: 'log', level: 'warn', message: `training worker: ignored message ${JSON.stringify(raw)}` });
    }
  });
  return { stop: () => abort.abort() };
}
