// The output folder of a merge, written as one unit: model.onnx, its data files, the PEFT adapter and, last,
// merge-report.json are built in a staging folder and swapped in (io/folder-commit.ts), so the folder holds one
// complete merge whose report describes exactly the files beside it, or the previous merge untouched. A lock
// beside the folder keeps two merges from writing it at once. Since the whole folder is replaced, it must hold
// nothing but a merge's outputs, and must not hold the merge's own inputs.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { acquireLock } from '../io/file-lock';
import { commitFolder, discardFolder, stageFolder } from '../io/folder-commit';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../io/peft-adapter';
import { HF_EXPORT_FOLDER } from '../modelgen/hf-export';
import { MergeOutputError } from './merge-errors';

export const MERGED_MODEL_FILE = 'model.onnx';
export const MERGE_REPORT_FILE = 'merge-report.json';

export interface OutputFile {
  /** Relative to the output folder. */
  name: string;
  bytes: number;
  sha256: string;
}

export interface StagedOutput {
  /** Where the files are written now. */
  staging: string;
  /** Where they will be once committed. */
  final: string;
  /** The final path of a file written under `staging`. */
  finalPath(stagedFile: string): string;
}

const mergeFileNames = new Set([MERGED_MODEL_FILE, MERGE_REPORT_FILE, ADAPTER_WEIGHTS_FILE, ADAPTER_CONFIG_FILE, HF_EXPORT_FOLDER]);

/** Entries of an existing output folder a merge did not write (its report names the data files it wrote). */
function foreignEntries(outDir: string): string[] {
  if (!fs.existsSync(outDir)) return [];
  if (!fs.statSync(outDir).isDirectory()) throw new MergeOutputError(`the output ${outDir} is a file; choose a folder for the merged model`);
  const ours = new Set(mergeFileNames);
  try {
    const report = JSON.parse(fs.readFileSync(path.join(outDir, MERGE_REPORT_FILE), 'utf8'));
    // Listed files may sit in subfolders (hf/…): the folder's own entries are their first path segments.
    for (const file of report?.outputs?.files ?? []) if (typeof file?.name === 'string') ours.add(file.name.split(/[\\/]/)[0]);
    for (const file of report?.outputs?.dataFiles ?? []) if (typeof file === 'string') ours.add(path.relative(outDir, file));
  } catch {
    // No report (an older or an interrupted merge): only the fixed names count as ours.
  }
  return fs.readdirSync(outDir).filter((name) => !ours.has(name));
}

const inside = (file: string, dir: string) => {
  const rel = path.relative(dir, path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** SHA-256 and size of each file, read back from disk: what the report vouches for. */
export function describeOutputFiles(staging: string, files: readonly string[]): OutputFile[] {
  return files.map((file) => {
    const hash = createHash('sha256');
    const fd = fs.openSync(file, 'r');
    const chunk = Buffer.allocUnsafe(1 << 22);
    let bytes = 0;
    try {
      for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; bytes += n) hash.update(chunk.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
    return { name: path.relative(staging, file), bytes, sha256: hash.digest('hex') };
  });
}

/**
 * Runs `write` on a staging folder for `outDir` and commits it when `write` resolves; on failure the staging
 * folder is removed and `outDir` keeps its previous content. `inputs` (base model, data files, adapter) must lie
 * outside `outDir`, which is replaced as a whole; they are named by what they are ("base model").
 */
export async function writeMergeOutput<T>(outDir: string, inputs: Readonly<Record<string, string>>, write: (out: StagedOutput) => Promise<T>): Promise<T> {
  const final = path.resolve(outDir);
  for (const [what, input] of Object.entries(inputs)) {
    if (inside(input, final)) {
      throw new MergeOutputError(`a merge into ${final} would overwrite the ${what}'s files (${input}): it replaces its whole output folder; choose another output folder`);
    }
  }
  const lockFile = `${final}.lock`;
  const lock = acquireLock(lockFile, 'merging', (h) => `the merge output ${final} is being written by process ${h.pid} on ${h.host} (since ${h.since}); wait for that merge to finish (if no such process is running, delete ${lockFile})`);
  try {
    const foreign = foreignEntries(final);
    if (foreign.length > 0) {
      const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
      throw new MergeOutputError(`the output folder ${final} holds files a merge did not write (${shown}); a merge replaces its whole output folder, so choose an empty or new folder`);
    }
    const staging = stageFolder(final);
    try {
      const result = await write({ staging, final, finalPath: (f) => path.join(final, path.relative(staging, f)) });
      commitFolder(staging, final);
      return result;
    } catch (e) {
      discardFolder(staging);
      throw e;
    }
  } finally {
    lock.release();
  }
}
