// The inputs the merge is verified on: a few eval examples of every task of the run (tokenized by the run's own
// data loaders), a user's batch file, or, with neither, a seeded random batch over the model's vocabulary.
import * as fs from 'fs';
import * as path from 'path';
import { collateBatch } from '../data/collate';
import { ExampleFormatSetting } from '../data/example-formats';
import { loadTaskData } from '../data/load-task-data';
import { Rng } from '../data/rng';
import { TokenizerSetting, loadTokenizer } from '../data/tokenizer';
import { Batch, readBatchFile } from '../io/batch-file';
import { checkInputIdRange } from '../loss/label-checks';
import { inputIdsVocabulary } from '../onnx/token-vocabulary';
import { ModelProto } from '../onnx/types';
import { MergeInputError } from './merge-errors';

export interface ProbeBatch {
  /** Task name, the batch file, or 'synthetic'. */
  task: string;
  batch: Batch;
}

export const PROBE_EXAMPLES_PER_TASK = 4;
const DEFAULT_SEQ_LENGTH = 128;

interface RunConfigSubset {
  tokenizer?: unknown;
  tasks?: { name?: unknown; eval?: unknown; format?: unknown; labels?: unknown }[];
  training?: { seqLength?: unknown };
}

// config.json holds the resolved experiment (tokenizer {kind, path}); a copy of thanora.json ("bytes" or a path) works too.
export function tokenizerSetting(value: unknown, dir: string, file: string): TokenizerSetting {
  if (value === 'bytes' || (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'bytes')) return { kind: 'bytes' };
  const p = typeof value === 'string' ? value : (value as { path?: unknown } | null)?.path;
  if (typeof p !== 'string') throw new MergeInputError(`${file}: "tokenizer" is ${JSON.stringify(value)}; expected "bytes" or the path of a tokenizer.json`);
  return { kind: 'huggingface', path: path.resolve(dir, p) };
}

/** Up to `perTask` eval examples of each task in the run's config.json, one batch per task. */
export function probesFromRunConfig(configFile: string, vocabLimit: number | undefined, perTask = PROBE_EXAMPLES_PER_TASK): ProbeBatch[] {
  let config: RunConfigSubset;
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (e) {
    throw new MergeInputError(`cannot read the run's config ${configFile}: ${(e as Error).message}; pass --batch B.json to verify on your own batch`);
  }
  const dir = path.dirname(configFile);
  if (!Array.isArray(config.tasks) || config.tasks.length === 0) throw new MergeInputError(`${configFile} lists no tasks; pass --batch B.json to verify on your own batch`);
  const sources = config.tasks.map((t, i) => {
    if (typeof t.name !== 'string' || typeof t.eval !== 'string') throw new MergeInputError(`${configFile}: tasks[${i}] needs "name" and "eval"`);
    const evalFile = path.resolve(dir, t.eval);
    // Only the eval split is needed: naming it as the train split too keeps large train files unread.
    const format = (typeof t.format === 'string' ? t.format : 'auto') as ExampleFormatSetting;
    return { name: t.name, train: evalFile, eval: evalFile, format, labels: Array.isArray(t.labels) ? (t.labels as string[]) : undefined };
  });
  const seqLength = typeof config.training?.seqLength === 'number' ? config.training.seqLength : DEFAULT_SEQ_LENGTH;
  const tokenizer = loadTokenizer(tokenizerSetting(config.tokenizer, dir, configFile));
  const data = loadTaskData(sources, tokenizer, { seqLength, vocabLimit });
  return data.tasks.flatMap((task, index): ProbeBatch[] => {
    const items = task.eval.slice(0, perTask).map((example) => ({ example, task: index }));
    if (items.length === 0) return [];
    const b = collateBatch(items, { padding: 'longest', seqLength, padId: tokenizer.special.pad });
    const tokenLabels = b.objective === 'causal_lm';
    return [{
      task: task.name,
      batch: {
        batchSize: b.batchSize,
        seqLength: b.seqLength,
        inputIds: b.inputIds,
        attentionMask: b.attentionMask,
        hasAttentionMask: true,
        labels: b.labels,
        labelsDims: tokenLabels ? [b.batchSize, b.seqLength] : [b.batchSize],
        taskIds: b.taskIndex,
      },
    }];
  });
}

/** The user's batch, its ids checked against the model's embedding table (ONNX Runtime's Gather would not). */
export function probeFromBatchFile(file: string, model: ModelProto): ProbeBatch[] {
  const batch = readBatchFile(file);
  try {
    checkInputIdRange({ dims: [batch.batchSize, batch.seqLength], data: batch.inputIds }, inputIdsVocabulary(model));
  } catch (e) {
    throw new MergeInputError(`${file}: ${(e as Error).message}`);
  }
  return [{ task: path.basename(file), batch }];
}

/** Two rows of seeded random token ids, the second half-padded, so masking is exercised too. */
export function syntheticProbe(model: ModelProto, seqLength = 16, seed = 0): ProbeBatch {
  const vocab = inputIdsVocabulary(model) ?? 2;
  const rng = Rng.fromSeed(seed);
  const rows = 2;
  const inputIds = Int32Array.from({ length: rows * seqLength }, () => rng.nextInt(vocab));
  const attentionMask = Int32Array.from({ length: rows * seqLength }, (_, i) => (i >= seqLength && i % seqLength >= seqLength / 2 ? 0 : 1));
  return {
    task: 'synthetic',
    batch: { batchSize: rows, seqLength, inputIds, attentionMask, hasAttentionMask: true, labels: new Int32Array(rows), labelsDims: [rows] },
  };
}
