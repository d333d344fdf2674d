// A new experiment from a Hugging Face model folder: the model imported into <dir>/model (weights hard-linked
// or referenced, config and tokenizer copied), two small example tasks in the format the model trains on
// (chat messages when the tokenizer has a chat template, prompt/completion otherwise, text/label for a
// classifier) and a thanora.json with defaults that run as they are. Replace the example data with yours.
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-write';
import { ImportDtype, importHfModel } from '../modelgen/import-hf-model';
import { HfImportError } from '../modelgen/import-errors';
import { WriteImportOptions, WrittenImport, writeImportedModel } from '../modelgen/write-imported-model';
import { loadChatTemplate } from '../data/chat-template';
import { resolveTargets } from '../lora/resolve-targets';

export const EXPERIMENT_FILE = 'thanora.json';

export interface HfExperiment {
  experimentFile: string;
  model: WrittenImport;
  className: string;
  dataFormat: 'messages' | 'prompt_completion' | 'classification';
}

const WORDS = 'apple river stone ocean tiger paper cloud green lemon mouse piano robot sugar table water zebra amber brick candle dragon eagle forest garden honey island jacket kettle ladder magnet needle orange pencil quartz rabbit silver tunnel'.split(' ');

type Row = Record<string, unknown>;

function exampleRows(format: HfExperiment['dataFormat'], task: 'reverse' | 'uppercase' | 'vowels', labels: number): Row[] {
  return WORDS.map((word, i) => {
    const answer = task === 'reverse' ? [...word].reverse().join('') : word.toUpperCase();
    const question = `${task}: ${word}`;
    if (format === 'messages') return { messages: [{ role: 'user', content: question }, { role: 'assistant', content: answer }] };
    if (format === 'prompt_completion') return { prompt: `${question}\n`, completion: answer };
    return { text: `${word} ${WORDS[(i * 7) % WORDS.length]}`, label: [...word].filter((c) => 'aeiou'.includes(c)).length % labels };
  });
}

function writeJsonl(file: string, rows: Row[]): void {
  writeFileAtomic(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

function maxPositions(config: Record<string, unknown>): number {
  const v = config.max_position_embeddings ?? config.n_positions;
  return typeof v === 'number' && v > 0 ? v : 512;
}

/** Imports `hfDir` into `dir` (which must not hold a thanora.json yet) and writes the experiment. */
export async function createHfExperiment(hfDir: string, dir: string, options: WriteImportOptions & { dtype?: ImportDtype } = {}): Promise<HfExperiment> {
  const target = path.resolve(dir);
  const experimentFile = path.join(target, EXPERIMENT_FILE);
  if (fs.existsSync(experimentFile)) throw new HfImportError(`${experimentFile} already exists; choose an empty folder for the new experiment`);
  const imported = importHfModel(hfDir, { dtype: options.dtype });
  if (!fs.existsSync(path.join(imported.folder.dir, 'tokenizer.json'))) {
    throw new HfImportError(
      `${imported.folder.dir} has no tokenizer.json (the fast tokenizer the trainer reads); save it there with AutoTokenizer.from_pretrained(folder).save_pretrained(folder)`,
    );
  }
  const model = await writeImportedModel(imported, path.join(target, 'model', 'model.onnx'), options);
  const tokenizerConfigFile = path.join(target, 'model', 'tokenizer_config.json');
  const tokenizerConfig = fs.existsSync(tokenizerConfigFile) ? (JSON.parse(fs.readFileSync(tokenizerConfigFile, 'utf8')) as Record<string, unknown>) : {};
  const config = imported.folder.config.raw;
  const classifier = imported.task === 'sequence_classification';
  const dataFormat: HfExperiment['dataFormat'] = classifier ? 'classification' : loadChatTemplate(path.join(target, 'model'), tokenizerConfig) ? 'messages' : 'prompt_completion';
  const labels = classifier ? Object.keys((config.id2label as object | undefined) ?? { 0: 0, 1: 1 }).length : 0;
  const taskNames = classifier ? (['vowels'] as const) : (['reverse', 'uppercase'] as const);
  const tasks = taskNames.map((name) => {
    const rows = exampleRows(dataFormat, name, labels);
    writeJsonl(path.join(target, 'data', `${name}.train.jsonl`), rows.slice(0, 28));
    writeJsonl(path.join(target, 'data', `${name}.eval.jsonl`), rows.slice(28));
    return { name, train: `data/${name}.train.jsonl`, eval: `data/${name}.eval.jsonl` };
  });
  const targets = classifier ? ['query', 'value'] : 'all-linear';
  // Rank 16, or less where a targeted layer is narrower (the methods take r directions of each W).
  const narrowest = Math.min(...resolveTargets(imported.model, targets).map((m) => Math.min(m.dIn, m.dOut)));
  const r = Math.min(16, narrowest);
  const experiment = {
    baseModel: 'model/model.onnx',
    tokenizer: 'model/tokenizer.json',
    tasks,
    // A classifier's pooler reads one vector per example, which the method's per-token preview cannot use, so
    // classifiers get PEFT's default BERT targets; decoders get every linear layer but the head.
    lora: { targets, r, alpha: 2 * r },
    method: { name: 'thanora' },
    training: {
      steps: 200,
      batchSize: 4,
      seqLength: Math.min(256, maxPositions(config)),
      lr: 0.0002,
      warmupSteps: 10,
      schedule: 'cosine',
      evalEvery: 100,
      checkpointEvery: 100,
    },
    device: 'auto',
    output: 'runs',
  };
  writeJsonAtomic(experimentFile, experiment);
  return { experimentFile, model, className: imported.className, dataFormat };
}
