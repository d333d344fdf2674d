// The run folder: its one owner. The trainer, merge, the CLI and the extension read and write runs only
// through these functions (layout and event types: src/protocol/run-events.ts).
export { RunFolder } from './run-folder';
export type { StatusFields } from './run-folder';
export { LockedError } from '../io/file-lock';
export { MetricsTail, RunFolderError, dropPartialLastLine, parseMetricsLines, readRunEvents } from './metrics-log';
export { isRunFolder, readRecordedStatus, readRunStatus, runIsLive } from './run-status';
export { readRunNotes, writeRunNotes } from './run-notes';
export { markRunFailed, recordRunFailure } from './run-end';
export type { RunFailure } from './run-end';
export { findRunFolders, listRuns, siblingRuns, summarizeRun } from './list-runs';
export {
  CHECKPOINT_FILES,
  CheckpointError,
  checkpointName,
  isCheckpointFolder,
  findLastCheckpoint,
  lastCheckpoint,
  listCheckpoints,
  readCheckpointAdapter,
  readCheckpointTrainingState,
  readInitBlocks,
  writeCheckpointFolder,
} from './checkpoints';
export type { CheckpointAdapter, CheckpointRecord } from './checkpoints';
export { locateCheckpoint, parseCheckpointChoice } from './locate-checkpoint';
export type { CheckpointChoice, LocatedCheckpoint } from './locate-checkpoint';
export { SWEEP_FILES, SweepFolder, isSweepFolder } from './sweep-folder';
export type { SweepPointRecord, SweepRecord } from './sweep-folder';
