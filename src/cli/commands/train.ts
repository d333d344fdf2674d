// `thanora train <thanora.json>`: runs the experiment with a progress bar; Ctrl-C stops after the current
// step and checkpoints; `--resume <run-dir>` continues from the last checkpoint.
import { describePhase } from '../../protocol/run-phases';
import { RunEvent } from '../../protocol/run-events';
import { runTraining } from '../../core/train/run-training';
import { METHOD_NAMES, isMethodName, methodNameList } from '../../core/method/method-registry';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { ProgressLine } from '../progress-line';
import { deviceOption, parseOptions, threadsOption } from '../parse-options';

export function describeEvent(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'allocation': {
      const first = e.modules[0];
      return first ? `HASI allocation (${e.modules.length} modules), e.g. ${first.module}: ranks ${first.ranks.join('/')} + cooperative ${first.cooperativeRank}` : undefined;
    }
    case 'eval':
      return `eval @ step ${e.step}: ` + e.tasks.map((t) => `${t.task} loss ${t.loss.toFixed(3)} acc ${(100 * t.accuracy).toFixed(1)}%`).join(', ');
    case 'checkpoint':
      return `checkpoint: ${e.path}`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'end':
      // A failure is printed once, as the command's error.
      return e.state === 'failed' || e.state === 'diverged' ? undefined : `run ${e.state} at step ${e.step}`;
    default:
      return undefined;
  }
}

export const trainCommand: CliCommand = {
  summary: 'train an experiment (thanora.json) and record it in a run folder',
  usage: `thanora train <thanora.json> [--resume RUN_DIR] [--method ${METHOD_NAMES.join('|')}] [--device auto|cuda|cpu] [--threads N] [--runs-dir DIR]`,
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      resume: { type: 'string' },
      method: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      'runs-dir': { type: 'string' },
    });
    const file = positionals[0];
    if (!file && !values.resume) throw new UsageError('give the experiment file (thanora.json) or --resume RUN_DIR');
    const method = values.method as string | undefined;
    if (method !== undefined && !isMethodName(method)) throw new UsageError(`--method must be ${methodNameList()}, got '${method}'`);
    const progress = new ProgressLine();
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      progress.log('stopping after the current step (Ctrl-C again to quit at once)…');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    let total = 0;
    try {
      const result = await runTraining(
        file ?? '',
        {
          resumeFrom: values.resume as string | undefined,
          method: method !== undefined && isMethodName(method) ? { name: method } : undefined,
          device: values.device ? deviceOption(values) : undefined,
          threads: values.threads !== undefined ? threadsOption(values) : undefined,
          runsDir: values['runs-dir'] as string | undefined,
          signal: controller.signal,
          onLog: (line) => progress.log(line),
          onProgress: (line) => progress.status(line),
        },
        (e) => {
          if (e.type === 'start') total = e.totalSteps;
          if (e.type === 'phase') progress.status(describePhase(e));
          if (e.type === 'step') {
            const spr = e.sprLoss !== null ? ` spr ${e.sprLoss.toExponential(2)}` : '';
            progress.update(e.step, total, `loss ${e.loss.toFixed(4)}${spr} ${Math.round(e.tokensPerSecond)} tok/s`);
          }
          const line = describeEvent(e);
          if (line) progress.log(line);
        },
      );
      progress.end();
      console.log(JSON.stringify(result));
      if (result.state === 'failed' || result.state === 'diverged') {
        // Scripts read the JSON line on stdout; people read stderr.
        console.error(`thanora train: ${result.error}`);
        process.exitCode = 1;
      }
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
