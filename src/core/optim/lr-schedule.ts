// Learning-rate schedules: linear warmup to the peak, then cosine or linear decay to a floor, or constant.

export type LrScheduleKind = 'cosine' | 'linear' | 'constant';

export interface LrScheduleOptions {
  kind: LrScheduleKind;
  peakLr: number;
  /** Total number of optimizer steps in the run. */
  totalSteps: number;
  /** Default 0. */
  warmupSteps?: number;
  /** The floor reached at totalSteps (cosine, linear); default 0. */
  minLr?: number;
}

export class LrScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LrScheduleError';
  }
}

function checkOptions(o: LrScheduleOptions): Required<LrScheduleOptions> {
  const full = { warmupSteps: 0, minLr: 0, ...o };
  const bad = (what: string) => new LrScheduleError(`learning-rate schedule: ${what}`);
  if (!['cosine', 'linear', 'constant'].includes(full.kind)) throw bad(`kind must be cosine, linear or constant, got "${full.kind}"`);
  if (!(full.peakLr >= 0)) throw bad(`peakLr must be ≥ 0, got ${full.peakLr}`);
  if (!Number.isInteger(full.totalSteps) || full.totalSteps < 1) throw bad(`totalSteps must be a positive integer, got ${full.totalSteps}`);
  if (!Number.isInteger(full.warmupSteps) || full.warmupSteps < 0 || full.warmupSteps > full.totalSteps) {
    throw bad(`warmupSteps must be an integer in [0, totalSteps = ${full.totalSteps}], got ${full.warmupSteps}`);
  }
  if (!(full.minLr >= 0 && full.minLr <= full.peakLr)) throw bad(`minLr must be in [0, peakLr = ${full.peakLr}], got ${full.minLr}`);
  return full;
}

/**
 * The learning rate of update t (1-based, the optimizer's step count after the update), W warmup steps,
 * T total steps:
 *   t ≤ W:  peak · t / W
 *   t > W:  p = min(1, (t − W) / (T − W));  cosine: floor + (peak − floor) · ½(1 + cos πp)
 *                                            linear: floor + (peak − floor) · (1 − p);  constant: peak
 */
export function makeLrSchedule(options: LrScheduleOptions): (step: number) => number {
  const { kind, peakLr, totalSteps, warmupSteps, minLr } = checkOptions(options);
  return (t: number) => {
    if (!(t >= 0)) throw new LrScheduleError(`learning-rate schedule: step must be ≥ 0, got ${t}`);
    if (t <= warmupSteps) return warmupSteps === 0 ? peakLr : (peakLr * t) / warmupSteps;
    if (kind === 'constant') return peakLr;
    const progress = totalSteps === warmupSteps ? 1 : Math.min(1, (t - warmupSteps) / (totalSteps - warmupSteps));
    const shape = kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
    return minLr + (peakLr - minLr) * shape;
  };
}
