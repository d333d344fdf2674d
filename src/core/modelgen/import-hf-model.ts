// A Hugging Face model folder as an ONNX graph the engine trains: the architecture from config.json
// (`architectures` and `model_type`), one builder per family, weights referenced from the safetensors
// files. Every config field the builder does not read and every unused checkpoint tensor is an error.
import { DataType, ModelProto } from '../onnx/types';
import { buildBertClassifier, readBert } from './architectures/bert';
import { DecoderSpec, buildDecoder } from './architectures/decoder';
import { readGemmaFamily } from './architectures/gemma-family';
import { buildGpt2, readGpt2 } from './architectures/gpt2';
import { readLlamaFamily } from './architectures/llama-family';
import { readPhi3 } from './architectures/phi3';
import { CheckpointWeights, PlannedWeight } from './checkpoint-weights';
import { HfConfig } from './hf-config';
import { HfFolder, openHfFolder } from './hf-folder';
import { HfImportError } from './import-errors';

export type ImportDtype = 'float32' | 'float16';

interface Architecture {
  /** The transformers class whose forward pass the graph reproduces. */
  className: string;
  /** transformers' base_model_prefix: base checkpoints store the keys without it. */
  prefix: string;
  task: 'causal_lm' | 'sequence_classification';
  /** Reads the config (every field that matters) and returns the builder of the graph. */
  read(config: HfConfig): (weights: CheckpointWeights) => ModelProto;
}

function staged<S>(read: (config: HfConfig) => S, build: (spec: S, weights: CheckpointWeights) => ModelProto): Architecture['read'] {
  return (config) => {
    const spec = read(config);
    return (weights) => build(spec, weights);
  };
}

const decoder = (read: (config: HfConfig) => DecoderSpec) => staged(read, buildDecoder);

/** model_type → the architecture the importer builds for it. */
export const SUPPORTED_ARCHITECTURES: Record<string, Architecture> = {
  llama: { className: 'LlamaForCausalLM', prefix: 'model', task: 'causal_lm', read: decoder((c) => readLlamaFamily(c, 'llama')) },
  mistral: { className: 'MistralForCausalLM', prefix: 'model', task: 'causal_lm', read: decoder((c) => readLlamaFamily(c, 'mistral')) },
  qwen2: { className: 'Qwen2ForCausalLM', prefix: 'model', task: 'causal_lm', read: decoder((c) => readLlamaFamily(c, 'qwen2')) },
  qwen3: { className: 'Qwen3ForCausalLM', prefix: 'model', task: 'causal_lm', read: decoder((c) => readLlamaFamily(c, 'qwen3')) },
  gemma: { className: 'GemmaForCausalLM', prefix: 'model', task: 'causal_lm', read: decoder((c) => readGemmaFamily(c, 'gemma')) },
  gemma2: { className: 'Gemma2ForCausalLM', prefix: 'model', task: 'causal_lm', read: decoder((c) => readGemmaFamily(c, 'gemma2')) },
  phi3: { className: 'Phi3ForCausalLM', prefix: 'model', task: 'causal_lm', read: decoder(readPhi3) },
  gpt2: { className: 'GPT2LMHeadModel', prefix: 'transformer', task: 'causal_lm', read: staged(readGpt2, buildGpt2) },
  bert: { className: 'BertForSequenceClassification', prefix: 'bert', task: 'sequence_classification', read: staged(readBert, buildBertClassifier) },
  roberta: { className: 'RobertaForSequenceClassification', prefix: 'roberta', task: 'sequence_classification', read: staged((c) => readBert(c, 'roberta'), buildBertClassifier) },
  'xlm-roberta': {
    className: 'XLMRobertaForSequenceClassification',
    prefix: 'roberta',
    task: 'sequence_classification',
    read: staged((c) => readBert(c, 'roberta'), buildBertClassifier),
  },
};

const supportedList = () => Object.entries(SUPPORTED_ARCHITECTURES).map(([type, a]) => `${a.className} (model_type "${type}")`).join(', ');

function chooseArchitecture(config: HfConfig): { modelType: string; arch: Architecture } {
  const modelType = config.modelType;
  if (!modelType) throw new HfImportError(`${config.file} has no "model_type"; it is not a transformers config. Supported: ${supportedList()}`);
  const arch = SUPPORTED_ARCHITECTURES[modelType];
  if (!arch) throw new HfImportError(`${config.file}: model_type "${modelType}" is not supported. Supported: ${supportedList()}`);
  const classes = config.array('architectures') ?? [arch.className];
  const other = classes.find((c) => c !== arch.className);
  if (other !== undefined || classes.length !== 1) {
    throw new HfImportError(
      `${config.file}: "architectures" is ${JSON.stringify(classes)}; for model_type "${modelType}" the importer builds ${arch.className} only. Supported: ${supportedList()}`,
    );
  }
  return { modelType, arch };
}

export interface ImportedModel {
  model: ModelProto;
  folder: HfFolder;
  /** The checkpoint tensors the graph reads, in graph order (their initializers point at the source files). */
  weights: PlannedWeight[];
  modelType: string;
  className: string;
  task: Architecture['task'];
  dtype: ImportDtype;
}

/** Metadata key of the import record (source, architecture, dtype, checkpoint keys), for the Hugging Face export. */
export const HF_IMPORT_METADATA_KEY = 'thanora.hf_import';

export interface HfImportRecord {
  modelType: string;
  className: string;
  task: Architecture['task'];
  dtype: ImportDtype;
  /** Initializer → checkpoint key, for every checkpoint tensor the graph reads. */
  weights: Record<string, string>;
}

/** Builds the graph for the folder; nothing but config.json and the safetensors headers is read. */
export function importHfModel(folderPath: string, options: { dtype?: ImportDtype } = {}): ImportedModel {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') throw new HfImportError(`--dtype ${dtype} is not supported; use float32 or float16`);
  const folder = openHfFolder(folderPath);
  const { modelType, arch } = chooseArchitecture(folder.config);
  const weights = new CheckpointWeights(folder, dtype === 'float16' ? DataType.FLOAT16 : DataType.FLOAT, arch.prefix);
  const build = arch.read(folder.config);
  folder.config.refuseUnread();
  const model = build(weights);
  const record: HfImportRecord = {
    modelType,
    className: arch.className,
    task: arch.task,
    dtype,
    weights: Object.fromEntries(weights.planned.map((w) => [w.name, w.source.key])),
  };
  model.metadata.push({ key: HF_IMPORT_METADATA_KEY, value: JSON.stringify(record) });
  return { model, folder, weights: weights.planned, modelType, className: arch.className, task: arch.task, dtype };
}

export function readImportRecord(model: ModelProto): HfImportRecord | undefined {
  const entry = model.metadata.find((m) => m.key === HF_IMPORT_METADATA_KEY);
  return entry ? (JSON.parse(entry.value) as HfImportRecord) : undefined;
}
