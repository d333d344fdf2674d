// The checkpoint tensors a graph uses, taken by their module names (`model.layers.0.self_attn.q_proj.weight`,
// the names PEFT and transformers use) and checked against the shapes the config implies. Each becomes an
// initializer that points at the tensor's bytes in its safetensors file (rewritten by the writer); nothing is
// read. After the build, every checkpoint tensor the graph did not take is an error, so a checkpoint that
// does not match its config never imports as a silently different model.
import * as path from 'path';
import { SafetensorsDtype } from '../io/safetensors';
import { DataType, TensorProto } from '../onnx/types';
import { HfFolder, HfWeight, isFloatDtype } from './hf-folder';
import { HfImportError } from './import-errors';

export interface PlannedWeight {
  /** Initializer name = module name. */
  name: string;
  dims: number[];
  /** The graph's type for it (the checkpoint's bytes are converted when it differs). */
  dataType: DataType;
  source: HfWeight;
}

export const safetensorsDataType: Record<string, DataType> = {
  F32: DataType.FLOAT,
  F16: DataType.FLOAT16,
  BF16: DataType.BFLOAT16,
  F64: DataType.DOUBLE,
};

/** Checkpoint tensors the models never read: buffers older transformers versions saved. */
const bufferKeys = [/\.rotary_emb\.inv_freq$/, /\.attn\.(masked_)?bias$/, /(^|\.)embeddings\.position_ids$/, /(^|\.)embeddings\.token_type_ids$/];

export class CheckpointWeights {
  readonly planned: PlannedWeight[] = [];
  private readonly taken = new Set<string>();

  /** `prefix`: transformers' base_model_prefix (`model`, `transformer`, `bert`), which base checkpoints omit. */
  constructor(
    readonly folder: HfFolder,
    readonly dataType: DataType,
    private readonly prefix: string,
  ) {}

  private candidates(name: string): string[] {
    const keys = [name];
    if (name.startsWith(`${this.prefix}.`)) keys.push(name.slice(this.prefix.length + 1));
    // TF-era BERT checkpoints name LayerNorm parameters gamma/beta; transformers renames them on load.
    if (/LayerNorm\.weight$/.test(name)) keys.push(...keys.map((k) => k.replace(/weight$/, 'gamma')));
    if (/LayerNorm\.bias$/.test(name)) keys.push(...keys.map((k) => k.replace(/bias$/, 'beta')));
    return keys;
  }

  find(name: string): HfWeight | undefined {
    for (const key of this.candidates(name)) {
      const w = this.folder.weights.get(key);
      if (w) return w;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  private where(w: HfWeight): string {
    return path.relative(this.folder.dir, w.file) || w.file;
  }

  /** The tensor `name` as an initializer of the graph's type; `why` explains the expected shape in errors. */
  take(name: string, dims: number[], why: string): TensorProto {
    const w = this.find(name);
    if (!w) {
      const stem = name.split('.').slice(0, -2).join('.');
      const near = [...this.folder.weights.keys()].filter((k) => k.includes(stem)).slice(0, 4);
      throw new HfImportError(
        `the checkpoint in ${this.folder.dir} has no tensor '${name}', which ${path.basename(this.folder.config.file)} (model_type "${this.folder.config.modelType}") implies` +
          `${near.length ? `; nearby keys: ${near.join(', ')}` : ''}. The weights do not belong to this config.`,
      );
    }
    if (w.shape.length !== dims.length || w.shape.some((d, i) => d !== dims[i])) {
      throw new HfImportError(
        `tensor '${w.key}' in ${this.where(w)} has shape [${w.shape}], but config.json implies [${dims}] (${why}); the weights do not belong to this config`,
      );
    }
    if (!isFloatDtype(w.dtype)) {
      throw new HfImportError(`tensor '${w.key}' in ${this.where(w)} has dtype ${w.dtype}; the importer reads F32, F16, BF16 and F64 weights (quantized checkpoints are not supported)`);
    }
    if (this.taken.has(w.key)) throw new HfImportError(`tensor '${w.key}' is taken twice by the ${this.folder.config.modelType} importer (internal error)`);
    this.taken.add(w.key);
    this.planned.push({ name, dims, dataType: this.dataType, source: w });
    // The location is a placeholder: writeImportedModel points it at the file the model will read.
    return { name, dims: [...dims], dataType: this.dataType, external: { location: w.file, offset: w.offset, length: w.length } };
  }

  /** Marks a tensor the graph deliberately does not read (a tied lm_head copy). */
  skip(name: string): void {
    const w = this.find(name);
    if (w) this.taken.add(w.key);
  }

  /** Every checkpoint tensor must have been taken (or be a known buffer). */
  checkAllTaken(): void {
    const left = [...this.folder.weights.keys()].filter((k) => !this.taken.has(k) && !bufferKeys.some((re) => re.test(k)));
    if (left.length === 0) return;
    throw new HfImportError(
      `the checkpoint in ${this.folder.dir} has ${left.length} tensor${left.length === 1 ? '' : 's'} the ${this.folder.config.modelType} graph does not use: ` +
        `${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}. Its config.json does not describe these weights (another architecture, or a head the importer does not build).`,
    );
  }

  /** The checkpoint's float dtypes, for the import report. */
  sourceDtypes(): SafetensorsDtype[] {
    return [...new Set(this.planned.map((p) => p.source.dtype))];
  }
}
