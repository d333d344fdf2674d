// thanora.json's `sweep` block → the queue of runs: every combination of the grid's values (first path
// outermost), each the experiment with those options replaced, resolved and checked like a file of its own.
// Every problem is found before any run starts and named by its place in the file: a path that is not an
// option, a value the schema or the experiment's rules reject, a baseline outside the grid.
import * as fs from 'fs';
import { ExperimentConfig } from '../experiment/experiment-config';
import { ConfigIssue, ExperimentConfigError } from '../experiment/experiment-error';
import { escapePointerToken, parseJsonWithLocations } from '../experiment/json-source-map';
import { LoadExperimentOptions, experimentSchemaPath, loadExperiment, parseExperiment } from '../experiment/load-experiment';

/** The repeat axis: results are mean ± standard deviation over it. */
export const SEED_PATH = 'training.seed';

export interface SweepPoint {
  index: number;
  /** Unique in the sweep, the prefix of the point's run folder: `p001_name-lora_seed-2`. */
  label: string;
  /** Grid path → this point's value. */
  values: Record<string, unknown>;
  config: ExperimentConfig;
}

export interface SweepPlan {
  experimentFile: string;
  grid: Record<string, unknown[]>;
  baseline: Record<string, unknown>;
  points: SweepPoint[];
}

type Json = any;

const pointerOf = (...parts: (string | number)[]) => '/' + parts.map((p) => escapePointerToken(String(p))).join('/');

/** Why `dotted` is not an option path of thanora.json, or undefined when it is one. */
function optionPathProblem(schema: Json, dotted: string): string | undefined {
  const segments = dotted.split('.');
  if (segments[0] === 'sweep' || segments[0] === '$schema') return `"${dotted}" cannot be swept`;
  let node = schema;
  for (let i = 0; i < segments.length; i++) {
    const options = node.properties as Record<string, Json> | undefined;
    const where = i === 0 ? 'thanora.json' : segments.slice(0, i).join('.');
    if (!options) return `"${dotted}" is not an option path: ${where} has no fields to choose from`;
    if (!(segments[i] in options)) return `"${dotted}" is not an option path: ${where} has no field "${segments[i]}" (it has: ${Object.keys(options).filter((k) => k !== 'sweep' && k !== '$schema').join(', ')})`;
    node = options[segments[i]];
  }
  return undefined;
}

function withValues(base: Json, values: Record<string, unknown>): Json {
  const out = structuredClone(base);
  delete out.sweep;
  for (const [dotted, value] of Object.entries(values)) {
    const segments = dotted.split('.');
    let node = out;
    for (const seg of segments.slice(0, -1)) node = node[seg] ??= {};
    node[segments[segments.length - 1]] = value;
  }
  return out;
}

/** The experiment with `values` set, resolved; or the problems found, as one line. */
function resolvePoint(base: Json, values: Record<string, unknown>, file: string, options: LoadExperimentOptions): ExperimentConfig | string {
  try {
    return parseExperiment(JSON.stringify(withValues(base, values)), file, options);
  } catch (e) {
    if (!(e instanceof ExperimentConfigError)) throw e;
    return e.issues.map((issue) => `${issue.pointer}: ${issue.message}`).join('; ');
  }
}

const describeValues = (values: Record<string, unknown>) => Object.entries(values).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ');

function pointLabel(index: number, values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([k, v]) => `${k.split('.').pop()}-${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [`p${String(index + 1).padStart(3, '0')}`, ...parts].join('_').replace(/[^A-Za-z0-9_.-]+/g, '-');
}

function combinations(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [path, values] of Object.entries(grid)) out = out.flatMap((partial) => values.map((v) => ({ ...partial, [path]: v })));
  return out;
}

export function planSweep(file: string, options: LoadExperimentOptions = {}): SweepPlan {
  loadExperiment(file, options);
  const text = fs.readFileSync(file, 'utf8');
  const { value: raw, locations } = parseJsonWithLocations(text);
  const fail = (issues: Omit<ConfigIssue, 'position'>[]): never => {
    throw new ExperimentConfigError(file, issues.map((issue) => ({ ...issue, position: locations.get(issue.pointer)?.value })));
  };
  const sweep = (raw as Json).sweep;
  if (!sweep) fail([{ pointer: '', message: 'the experiment has no "sweep" block; add {"sweep": {"grid": {"training.seed": [1, 2, 3]}}} to run a sweep' }]);
  const grid = sweep.grid as Record<string, unknown[]>;
  const baseline = (sweep.baseline ?? {}) as Record<string, unknown>;
  const schema = JSON.parse(fs.readFileSync(experimentSchemaPath(), 'utf8'));
  const issues: Omit<ConfigIssue, 'position'>[] = [];
  for (const [path, values] of Object.entries(grid)) {
    const problem = optionPathProblem(schema, path);
    if (problem) {
      issues.push({ pointer: pointerOf('sweep', 'grid', path), message: problem });
      continue;
    }
    values.forEach((v, i) => {
      const resolved = resolvePoint(raw, { [path]: v }, file, options);
      if (typeof resolved === 'string') issues.push({ pointer: pointerOf('sweep', 'grid', path, i), message: `${path} = ${JSON.stringify(v)} is rejected: ${resolved}` });
    });
    const seen = values.map((v) => JSON.stringify(v));
    if (new Set(seen).size !== seen.length) issues.push({ pointer: pointerOf('sweep', 'grid', path), message: `${path} lists a value twice; each value is one configuration` });
  }
  for (const [path, value] of Object.entries(baseline)) {
    const pointer = pointerOf('sweep', 'baseline', path);
    if (!(path in grid)) issues.push({ pointer, message: `baseline path "${path}" is not in sweep.grid (${Object.keys(grid).join(', ')})` });
    else if (path === SEED_PATH) issues.push({ pointer, message: `${SEED_PATH} is the repeat axis: the comparison pairs seeds, so the baseline cannot fix one` });
    else if (!grid[path].some((v) => JSON.stringify(v) === JSON.stringify(value))) issues.push({ pointer, message: `baseline ${path} = ${JSON.stringify(value)} is not one of the grid's values ${JSON.stringify(grid[path])}` });
  }
  if (issues.length > 0) fail(issues);
  const points = combinations(grid).map((values, index) => {
    const config = resolvePoint(raw, values, file, options);
    if (typeof config === 'string') issues.push({ pointer: pointerOf('sweep', 'grid'), message: `the combination ${describeValues(values)} is rejected: ${config}` });
    return { index, label: pointLabel(index, values), values, config: config as ExperimentConfig };
  });
  if (issues.length > 0) fail(issues);
  return { experimentFile: file, grid, baseline, points };
}
