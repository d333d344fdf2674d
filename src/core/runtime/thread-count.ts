// ONNX Runtime's intra-op thread count checked against the machine: more threads than cores makes every
// parallel op wait on threads that cannot all run (measured: 64 threads on 2 cores took 26× as long as 1;
// 10000 threads never finished a step), so a count above the cores is refused rather than slowly obeyed.
import * as os from 'os';

/** The schema's static ceiling (schemas/thanora.schema.json, the thanora.threads setting); the cores decide below it. */
export const MAX_THREADS = 1024;

/** Cores this process may run on (affinity and cpusets respected). */
export function availableCores(): number {
  return os.availableParallelism();
}

/** Why `threads` cannot be used here, or undefined; `name` is how the user set it ("--threads", "threads"). */
export function threadCountProblem(threads: number, name: string): string | undefined {
  if (!Number.isInteger(threads) || threads < 0) return `${name} must be an integer ≥ 0 (0 lets ONNX Runtime choose), got ${threads}`;
  const cores = availableCores();
  if (threads <= cores) return undefined;
  return (
    `${name} is ${threads} but this machine has ${cores} CPU core${cores === 1 ? '' : 's'}; more threads than cores make every step ` +
    `slower, not faster: use 0 (ONNX Runtime chooses) or at most ${cores}`
  );
}
