// The preview cache of `thanora plan`, beside the runs it plans: `<output>/.cache/preview/` (a dot folder, so
// run listings skip it; deleting it only costs the next preview its time). Entries are immutable and named by
// the digest of everything they depend on (core/plan/preview-cache-keys.ts), so a changed input is a miss and
// nothing is ever invalidated in place:
//   <cov-key>/key.json                     what the entry was computed from (for people)
//   <cov-key>/tokens.json                  counted preview tokens per task
//   <cov-key>/covariances/<module>.safetensors   C_t per task, float64 [d_in, d_in] ("task.<t>")
//   <cov-key>/spectra-<svd-key>.json       per module: H_t and the damping ε per task
//   machine-<key>.json                     this machine's measured SGEMM rate
//   step-<key>.json                        a profiled step estimate (core/plan/plan-estimate.ts)
// Every file is written atomically (temp + rename); a file that cannot be read is a miss, never an error, and a
// write that fails (a read-only or full disk) stops further writes and is reported by `writeProblem`: the
// preview it would have saved is still correct, only the next one is not faster.
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-write';
import { readSafetensors, writeSafetensors } from '../io/safetensors';
import { Matrix } from '../linalg/matrix';

export interface ModuleSpectra {
  /** H_t per task. */
  entropies: number[];
  /** The damping ε that made each C_t factorizable. */
  dampingEpsilons: number[];
}

export function previewCacheDir(output: string): string {
  return path.join(output, '.cache', 'preview');
}

// PEFT names are dotted identifiers; anything else is replaced so that a name can never leave the folder.
const fileSafe = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export class PreviewCache {
  private problem?: string;

  constructor(readonly dir: string) {}

  /** Why the cache stopped writing, once a write failed. */
  get writeProblem(): string | undefined {
    return this.problem;
  }

  private write(save: () => void): void {
    if (this.problem) return;
    try {
      save();
    } catch (e) {
      this.problem = (e as Error).message;
    }
  }

  private entry(covKey: string): string {
    return path.join(this.dir, covKey);
  }

  private covarianceFile(covKey: string, module: string): string {
    return path.join(this.entry(covKey), 'covariances', `${fileSafe(module)}.safetensors`);
  }

  /** Records what an entry was computed from, once. */
  describeEntry(covKey: string, inputs: unknown): void {
    const file = path.join(this.entry(covKey), 'key.json');
    if (!fs.existsSync(file)) this.write(() => writeJsonAtomic(file, inputs));
  }

  readTokenCounts(covKey: string): number[] | undefined {
    return readJson<{ tokenCounts: number[] }>(path.join(this.entry(covKey), 'tokens.json'))?.tokenCounts;
  }

  writeTokenCounts(covKey: string, tokenCounts: readonly number[]): void {
    this.write(() => writeJsonAtomic(path.join(this.entry(covKey), 'tokens.json'), { tokenCounts }));
  }

  /** C_t per task of one module, or undefined when absent, unreadable or not of `taskCount` d_in×d_in tensors. */
  readCovariances(covKey: string, module: string, taskCount: number, dIn: number): Matrix[] | undefined {
    const file = this.covarianceFile(covKey, module);
    if (!fs.existsSync(file)) return undefined;
    try {
      const { tensors } = readSafetensors(file);
      const out: Matrix[] = [];
      for (let t = 0; t < taskCount; t++) {
        const c = tensors.get(`task.${t}`);
        if (!c || c.dtype !== 'F64' || c.shape[0] !== dIn || c.shape[1] !== dIn) return undefined;
        out.push({ rows: dIn, cols: dIn, data: c.data as Float64Array });
      }
      return out;
    } catch {
      return undefined;
    }
  }

  writeCovariances(covKey: string, module: string, covariances: readonly Matrix[]): void {
    const tensors = new Map(covariances.map((c, t) => [`task.${t}`, { dtype: 'F64' as const, shape: [c.rows, c.cols], data: c.data }]));
    this.write(() => writeSafetensors(this.covarianceFile(covKey, module), tensors));
  }

  readSpectra(covKey: string, svdKey: string): Record<string, ModuleSpectra> {
    return readJson<{ modules: Record<string, ModuleSpectra> }>(path.join(this.entry(covKey), `spectra-${svdKey}.json`))?.modules ?? {};
  }

  /** Adds modules to the spectra file (read, merge, rewrite whole; a concurrent writer's modules may be lost, not corrupted). */
  addSpectra(covKey: string, svdKey: string, modules: Readonly<Record<string, ModuleSpectra>>): void {
    const merged = { ...this.readSpectra(covKey, svdKey), ...modules };
    this.write(() => writeFileAtomic(path.join(this.entry(covKey), `spectra-${svdKey}.json`), JSON.stringify({ modules: merged }) + '\n'));
  }

  readMachine(key: string): { sgemmPeakGflops: number } | undefined {
    return readJson<{ sgemmPeakGflops: number }>(path.join(this.dir, `machine-${key}.json`));
  }

  writeMachine(key: string, value: { sgemmPeakGflops: number }): void {
    this.write(() => writeJsonAtomic(path.join(this.dir, `machine-${key}.json`), value));
  }

  readStepEstimate<T>(key: string): T | undefined {
    return readJson<T>(path.join(this.dir, `step-${key}.json`));
  }

  writeStepEstimate(key: string, estimate: unknown): void {
    this.write(() => writeJsonAtomic(path.join(this.dir, `step-${key}.json`), estimate));
  }
}
