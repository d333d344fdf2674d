// The recipe of the demo base model (examples/demo/model.onnx): architecture, corpus size and pretraining
// hyper-parameters. Sized on 2 CPU cores: one step of 32 × 64 tokens takes ~0.1 s with 2 threads on an idle
// machine and 0.3-0.6 s while other work shares it, so the default run takes 4-20 minutes. The model stays
// small on purpose: the demo's LoRA training must also finish in minutes on the same CPU.
import { BYTE_BOS_ID, BYTE_EOS_ID, BYTE_VOCAB_SIZE, ByteTokenizer } from '../data/byte-tokenizer';
import { LlamaConfig } from '../modelgen/llama-config';
import { generateCorpusRecords } from './corpus';

export const DEMO_MODEL_CONFIG: LlamaConfig = {
  vocabSize: BYTE_VOCAB_SIZE,
  hiddenSize: 128,
  numLayers: 4,
  numHeads: 4,
  intermediateSize: 352,
  maxPositions: 256,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieEmbeddings: true,
};

export interface DemoPretrainRecipe {
  seed: number;
  corpusRecords: number;
  heldOutRows: number;
  seqLength: number;
  batchSize: number;
  steps: number;
  peakLr: number;
  warmupSteps: number;
  weightDecay: number;
  gradClip: number;
}

export const DEMO_PRETRAIN_RECIPE: DemoPretrainRecipe = {
  seed: 1,
  corpusRecords: 300_000,
  heldOutRows: 256,
  seqLength: 64,
  batchSize: 32,
  steps: 2000,
  peakLr: 2e-3,
  warmupSteps: 100,
  weightDecay: 0.1,
  gradClip: 1,
};

/** Corpus records as byte-token records BOS … EOS (the framing of a prompt/completion example). */
export function corpusTokenRecords(seed: number, count: number): number[][] {
  const tokenizer = new ByteTokenizer();
  return generateCorpusRecords(seed, count).map((text) => [BYTE_BOS_ID, ...tokenizer.encode(text, false), BYTE_EOS_ID]);
}
