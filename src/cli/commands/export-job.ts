// `thanora export-job`: the experiment as a training job for Hugging Face Accelerate (see core/export-job).
import { exportTrainingJob, JOB_TARGETS, JobTarget } from '../../core/export-job/export-job';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { parseOptions, requireString } from '../parse-options';

export const exportJobCommand: CliCommand = {
  summary: 'export the experiment as a training job for Hugging Face Accelerate (HASI init computed here)',
  usage: 'thanora export-job <thanora.json> --target accelerate --out DIR [--hf-model HF_FOLDER]',
  async run(args) {
    const { values, positionals } = parseOptions(args, { target: { type: 'string' }, out: { type: 'string' }, 'hf-model': { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError(`expected one experiment file (thanora.json), got ${positionals.length}`);
    const target = (values.target ?? 'accelerate') as JobTarget;
    if (!JOB_TARGETS.includes(target)) throw new UsageError(`--target must be one of ${JOB_TARGETS.join(', ')}, got '${target}'`);
    const job = await exportTrainingJob(positionals[0], {
      target,
      outDir: requireString(values, 'out'),
      hfModel: values['hf-model'] as string | undefined,
      onLog: (line) => console.error(line),
    });
    console.log(`training job → ${job.dir} (${job.files.length} files, ${job.spec.training.totalSteps} steps)`);
    console.log(`launch it: cd ${job.dir} && accelerate launch --config_file accelerate/ddp.yaml train.py`);
  },
};
