// `thanora import-run`: a training job folder synced back from a cluster, read as a run (status and metrics
// through the run-folder readers), and copied into the experiment's runs folder where the dashboard lists it.
import * as fs from 'fs';
import * as path from 'path';
import { importJobRun } from '../../core/export-job/import-run';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { parseOptions } from '../parse-options';

export const importRunCommand: CliCommand = {
  summary: 'read a finished or running training job folder as a run (copied into the experiment\'s runs folder)',
  usage: 'thanora import-run <job-folder> [--into RUNS_DIR]',
  async run(args) {
    const { values, positionals } = parseOptions(args, { into: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError(`expected one job folder, got ${positionals.length}`);
    const into = values.into as string | undefined;
    if (into !== undefined && !fs.existsSync(path.dirname(path.resolve(into)))) throw new UsageError(`--into ${into}: its parent folder does not exist`);
    const run = importJobRun(positionals[0], { into });
    console.log(JSON.stringify(run));
  },
};
