// Merging adapters into base models: a run's checkpoint (with its residual) or a plain PEFT adapter.
export { mergeCheckpoint, mergePeftAdapter, MERGED_MODEL_FILE, MERGE_REPORT_FILE } from './merge-adapter';
export type { MergeOptions, MergeOutcome, MergeReport } from './merge-adapter';
export { MergeError, MergeInputError, MergeMismatchError, MergeOutputError } from './merge-errors';
