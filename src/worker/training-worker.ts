// Entry of the worker process forked by the extension host (bundled as dist/worker.js): the same core as
// `thanora train`, `thanora merge`, `thanora export-job` and `thanora generate`, driven over IPC (src/protocol/worker-messages.ts).
import { runTraining } from '../core/train/run-training';
import { runExportJob } from './run-export-job';
import { runGenerate } from './run-generate';
import { runMerge } from './run-merge';
import { serveTrainingRequests } from './serve-training-requests';

const worker = serveTrainingRequests(process, runTraining, (code) => process.exit(code), { runMerge, runExportJob, runGenerate });
// The extension host closed (window reload, crash): stop at the next step boundary and checkpoint.
process.on('disconnect', () => worker.stop());
