// `thanora plan <thanora.json>`: HASI's allocation before training (core/plan): ranks per module and layer,
// the entropies behind them, the shared rank, trainable parameters and a step estimate; `--json` for tools.
import { formatPlan } from '../../core/plan/format-plan';
import { loadPlanSetup, planAllocation } from '../../core/plan/allocation-plan';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { parseOptions } from '../parse-options';
import { ProgressLine } from '../progress-line';

export const planCommand: CliCommand = {
  summary: "preview HASI's rank allocation, parameters and step cost of an experiment (no training)",
  usage: 'thanora plan <thanora.json> [--json] [--no-cache] [--no-estimate] [--runs-dir DIR]',
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      json: { type: 'boolean' },
      'no-cache': { type: 'boolean' },
      'no-estimate': { type: 'boolean' },
      'runs-dir': { type: 'string' },
    });
    const file = positionals[0];
    if (!file) throw new UsageError('give the experiment file (thanora.json)');
    if (positionals.length > 1) throw new UsageError(`one experiment file at a time, got ${positionals.length}: ${positionals.join(' ')}`);
    const started = Date.now();
    const progress = new ProgressLine();
    let plan;
    try {
      const setup = loadPlanSetup(file, { runsDir: values['runs-dir'] as string | undefined });
      plan = await planAllocation(setup, {
        cache: !values['no-cache'],
        estimate: !values['no-estimate'],
        onProgress: (line) => progress.status(line),
        onNotice: (line) => progress.log(line),
      });
    } finally {
      progress.end();
    }
    // The whole command, loading the data and the model included.
    plan.timings.totalMs = Date.now() - started;
    console.log(values.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
  },
};
