// `thanora <command>`: the table of commands; each lives in src/cli/commands/.
import { UsageError } from './cli-error';
import { benchCommand } from './commands/bench';
import { doctorCommand } from './commands/doctor';
import { gradCommand } from './commands/grad';
import { trainCommand } from './commands/train';
import { demoCommand } from './commands/demo';
import { generateCommand } from './commands/generate';
import { importCommand } from './commands/import';
import { mergeCommand } from './commands/merge';
import { planCommand } from './commands/plan';
import { sweepCommand } from './commands/sweep';
import { exportJobCommand } from './commands/export-job';
import { importRunCommand } from './commands/import-run';

export interface CliCommand {
  summary: string;
  usage: string;
  run(args: string[]): Promise<void>;
}

const commands: Record<string, CliCommand> = {
  demo: demoCommand,
  import: importCommand,
  plan: planCommand,
  train: trainCommand,
  sweep: sweepCommand,
  doctor: doctorCommand,
  grad: gradCommand,
  bench: benchCommand,
  generate: generateCommand,
  merge: mergeCommand,
  'export-job': exportJobCommand,
  'import-run': importRunCommand,
};

function help(): string {
  const lines = ['usage: thanora <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `thanora <command> --help` for its options.');
  return lines.join('\n');
}

export async function runCli(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(help());
    return;
  }
  const command = commands[name];
  if (!command) {
    console.error(`thanora: unknown command '${name}'\n\n${help()}`);
    process.exitCode = 2;
    return;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`usage: ${command.usage}`);
    return;
  }
  try {
    await command.run(rest);
  } catch (e) {
    const err = e as Error;
    console.error(`thanora ${name}: ${err.message}`);
    if (err instanceof UsageError) console.error(`usage: ${command.usage}`);
    if (process.env.THANORA_DEBUG) console.error(err.stack);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}
