// The worker's export job: core exportTrainingJob, reduced to what the host shows.
import * as path from 'path';
import { exportTrainingJob } from '../core/export-job/export-job';
import { JOB_FILES } from '../core/export-job/job-spec';
import type { ExportJobRunner } from './serve-training-requests';

export const runExportJob: ExportJobRunner = async (request, onLog) => {
  const job = await exportTrainingJob(request.experimentFile, { target: 'accelerate', outDir: request.outDir, hfModel: request.hfModel, onLog });
  return { dir: job.dir, readmeFile: path.join(job.dir, JOB_FILES.readme), files: job.files.length, totalSteps: job.spec.training.totalSteps };
};
