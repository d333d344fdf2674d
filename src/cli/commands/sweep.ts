// `thanora sweep <thanora.json>`: every run of the file's sweep block, one after another, in one sweep folder,
// then the results table (also in <sweep>/results.md and results.csv). Ctrl-C stops after the current step;
// `--resume <sweep-dir>` continues; `--results <sweep-dir>` prints the table of what is there now (read only).
import { SweepFolder } from '../../core/run-folder';
import { runSweep } from '../../core/sweep/run-sweep';
import { sweepResultsOf } from '../../core/sweep/sweep-folder-results';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { ProgressLine } from '../progress-line';
import { deviceOption, parseOptions, threadsOption } from '../parse-options';
import { describeEvent } from './train';

export const sweepCommand: CliCommand = {
  summary: 'run the sweep block of an experiment (a grid of runs) and tabulate the results per task',
  usage: 'thanora sweep <thanora.json> | --resume SWEEP_DIR | --results SWEEP_DIR [--device auto|cuda|cpu] [--threads N]',
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      resume: { type: 'string' },
      results: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
    });
    const given = [positionals.length > 0, values.resume !== undefined, values.results !== undefined].filter(Boolean).length;
    if (given !== 1 || positionals.length > 1) throw new UsageError('give one of: the experiment file (thanora.json), --resume SWEEP_DIR, --results SWEEP_DIR');
    if (values.results !== undefined) {
      const folder = SweepFolder.open(values.results as string);
      console.log(sweepResultsOf(folder).markdown);
      return;
    }
    const progress = new ProgressLine();
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      progress.log('stopping after the current step (Ctrl-C again to quit at once); resume with --resume…');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      let total = 0;
      const outcome = await runSweep(values.resume !== undefined ? { resume: values.resume as string } : { experimentFile: positionals[0] }, {
        device: values.device ? deviceOption(values) : undefined,
        threads: values.threads !== undefined ? threadsOption(values) : undefined,
        signal: controller.signal,
        onLog: (line) => progress.log(line),
        onProgress: (line) => progress.status(line),
        onEvent: (e, point) => {
          if (e.type === 'start') total = e.totalSteps;
          if (e.type === 'step') progress.update(e.step, total, `${point.label} loss ${e.loss.toFixed(4)}`);
          const line = describeEvent(e);
          if (line && e.type !== 'allocation') progress.log(`${point.label}: ${line}`);
        },
      });
      progress.end();
      console.log(outcome.markdown);
      console.log(`sweep ${outcome.state}: ${outcome.sweepDir}${outcome.state === 'stopped' ? ` (continue with thanora sweep --resume ${outcome.sweepDir})` : ''}`);
      const failed = outcome.results.states.failed ?? 0;
      if (failed > 0) {
        console.error(`thanora sweep: ${failed} run${failed === 1 ? '' : 's'} failed (see above); thanora sweep --resume ${outcome.sweepDir} retries them`);
        process.exitCode = 1;
      }
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
