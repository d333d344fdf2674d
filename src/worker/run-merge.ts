// The worker's merge job: core mergeCheckpoint, reduced to the summary the host shows.
import { mergeCheckpoint } from '../core/merge/merge-adapter';
import type { MergeRunner } from './serve-training-requests';

export const runMerge: MergeRunner = async (request, onNotice) => {
  const outcome = await mergeCheckpoint(request.input, { outDir: request.outDir, onNotice });
  const verification = outcome.report.verification;
  return {
    outDir: outcome.outDir,
    modelFile: outcome.report.outputs.model,
    reportFile: outcome.reportFile,
    pass: outcome.report.pass,
    maxRelativeDiff: verification ? verification.maxRelativeDiff : null,
    tolerance: verification ? verification.tolerance.relative : null,
  };
};
