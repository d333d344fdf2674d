// A sweep's results table as data (src/core/sweep/sweep-results.ts computes it from the sweep folder): the
// host writes it as results.md / results.csv and sends it to the dashboard, which shows it as a table.

export interface Spread {
  n: number;
  mean?: number;
  /** Sample standard deviation (n − 1); undefined below 2 values. */
  std?: number;
}

export interface TaskResult {
  task: string;
  accuracy: Spread;
  loss: Spread;
  /** Paired differences to the baseline; undefined for the baseline itself and when there is none. */
  deltaAccuracy?: Spread;
  deltaLoss?: Spread;
}

/** One run of a configuration: its seed (training.seed, when swept), state and run folder once made. */
export interface ConfigPoint {
  seed?: unknown;
  state: string;
  runDir?: string;
}

export interface ConfigResult {
  /** Grid values without the seed. */
  values: Record<string, unknown>;
  runs: number;
  finished: number;
  isBaseline: boolean;
  tasks: TaskResult[];
  /** The configuration's runs, in sweep order. */
  points: ConfigPoint[];
}

export interface SweepResults {
  axes: string[];
  tasks: string[];
  baseline: Record<string, unknown>;
  configs: ConfigResult[];
  /** Runs by state, e.g. { finished: 5, stopped: 1 }. */
  states: Record<string, number>;
}

/** A sweep folder for the dashboard: where it is and its results as they stand, or why they cannot be read. */
export interface SweepSummary {
  sweepDir: string;
  /** The folder's name, sweep-<yyyymmdd-hhmmss>. */
  name: string;
  /** The experiment file the sweep was planned from. */
  experimentFile?: string;
  results?: SweepResults;
  error?: string;
}
