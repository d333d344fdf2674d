// Host ⇄ dashboard webview. The webview posts `ready` first; the host answers with the run list and the
// selected run's events. Every message from the webview is validated (src/views/parse-webview-message.ts).
import type { ChartId } from './dashboard-charts';
import type { PlaygroundModel, PlaygroundRequest, PlaygroundResult } from './playground';
import type { RunEvent, RunStatus, RunSummary } from './run-events';
import type { SweepSummary } from './sweep-results';

export type { RunSummary } from './run-events';

export interface RunsMessage {
  type: 'runs';
  runs: RunSummary[];
  /** The sweeps these runs belong to, with their results tables (the editor dashboard shows them). */
  sweeps?: SweepSummary[];
  /** Run the dashboard should show, when the host has a preference (a run just started). */
  select?: string;
}

/** All events of a run so far (replace). */
export interface RunDataMessage {
  type: 'runData';
  runDir: string;
  events: RunEvent[];
  status: RunStatus | null;
}

/** Events appended since the last message for this run (live training). */
export interface RunEventsMessage {
  type: 'runEvents';
  runDir: string;
  events: RunEvent[];
}

export interface HostStateMessage {
  type: 'hostState';
  training: boolean;
  /** Run folder of the active training, if any. */
  activeRunDir?: string;
  trusted: boolean;
}

/** The models of a run the playground can prompt (answer to listPlaygroundModels). */
export interface PlaygroundModelsMessage {
  type: 'playgroundModels';
  runDir: string;
  models: PlaygroundModel[];
  /** Why the list could not be read, when it could not. */
  error?: string;
}

/** The answer to the playground request `requestId`: both completions, or why there are none. */
export type GeneratedMessage = { type: 'generated'; requestId: number } & ({ result: PlaygroundResult } | { error: string });

export type HostToWebviewMessage = RunsMessage | RunDataMessage | RunEventsMessage | HostStateMessage | PlaygroundModelsMessage | GeneratedMessage;

export interface ReadyMessage {
  type: 'ready';
}

/** The dashboard shows `runDir` and overlays `compareWith` (runs of the same experiment). */
export interface ShowRunsMessage {
  type: 'showRuns';
  runDir: string;
  compareWith: string[];
}

export interface StartTrainingMessage {
  type: 'startTraining';
}

export interface StopTrainingMessage {
  type: 'stopTraining';
}

export interface MergeRunMessage {
  type: 'mergeRun';
  runDir: string;
}

/** The empty dashboard's button: ThanoRA: New Experiment. */
export interface NewExperimentMessage {
  type: 'newExperiment';
}

/** The runs table: the run's name and notes as edited (blank clears), written to its notes.json. */
export interface SetRunNotesMessage {
  type: 'setRunNotes';
  runDir: string;
  name: string;
  notes: string;
}

/** The runs table's Delete: the host asks to confirm, refuses a live run, and moves the folder to the trash. */
export interface DeleteRunMessage {
  type: 'deleteRun';
  runDir: string;
}

/** A chart's Export button: the host asks where to save it (default: beside the run's folder). */
export interface ExportChartMessage {
  type: 'exportChart';
  /** The run shown (named in the file name and where the dialog opens). */
  runDir: string;
  chart: ChartId;
  format: 'png' | 'csv';
  /** CSV text, or the PNG's bytes in base64. */
  data: string;
}

export interface ListPlaygroundModelsMessage {
  type: 'listPlaygroundModels';
  runDir: string;
}

/** Prompt the run's base and tuned model; a new request cancels the one before it. */
export interface GenerateMessage {
  type: 'generate';
  requestId: number;
  request: PlaygroundRequest;
}

export type WebviewToHostMessage =
  | ReadyMessage
  | ShowRunsMessage
  | StartTrainingMessage
  | StopTrainingMessage
  | MergeRunMessage
  | NewExperimentMessage
  | SetRunNotesMessage
  | DeleteRunMessage
  | ExportChartMessage
  | ListPlaygroundModelsMessage
  | GenerateMessage;
