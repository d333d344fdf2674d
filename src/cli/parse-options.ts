// Option parsing for CLI commands on node's util.parseArgs, with errors that name the option.
import { parseArgs } from 'util';
import { threadCountProblem } from '../core/runtime/thread-count';
import { UsageError } from './cli-error';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

/**
 * `--rank -1` is a value that looks like an option, which parseArgs calls "ambiguous"; a negative number after a
 * string option can only be its value, so it is passed as `--rank=-1` and the option's own check names the range.
 */
function joinNegativeNumbers(args: string[], spec: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
    if (name && spec[name]?.type === 'string' && /^-\d/.test(args[i + 1] ?? '')) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

export function parseOptions(args: string[], spec: OptionSpec) {
  try {
    return parseArgs({ args: joinNegativeNumbers(args, spec), options: spec, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

export function requireString(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required`);
  return v;
}

export function intOption(values: Record<string, unknown>, name: string, fallback: number, min = 1): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

/** --threads: 0 (ONNX Runtime chooses) up to this machine's cores. */
export function threadsOption(values: Record<string, unknown>, fallback = 0): number {
  if (values.threads === undefined) return fallback;
  const n = intOption(values, 'threads', fallback, 0);
  const problem = threadCountProblem(n, '--threads');
  if (problem) throw new UsageError(problem);
  return n;
}

export function deviceOption(values: Record<string, unknown>): 'auto' | 'cuda' | 'cpu' {
  const v = (values.device as string | undefined) ?? 'auto';
  if (v !== 'auto' && v !== 'cuda' && v !== 'cpu') throw new UsageError(`--device must be auto, cuda or cpu, got '${v}'`);
  return v;
}

/** `q_proj,v_proj` -> list; `all-linear` stays the keyword. */
export function targetsOption(value: string | undefined): 'all-linear' | string[] | undefined {
  if (value === undefined) return undefined;
  if (value === 'all-linear') return 'all-linear';
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
