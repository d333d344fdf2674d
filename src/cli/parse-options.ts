// Option parsing for CLI commands on node's util.parseArgs, with errors that name the option.
import { parseArgs } from 'util';
import { UsageError } from './cli-error';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

export function parseOptions(args: string[], spec: OptionSpec) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
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
