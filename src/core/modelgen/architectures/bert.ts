// BERT-style encoders for sequence classification, output logits [batch, num_labels]:
//   BertForSequenceClassification         positions 0…s−1, pooler (tanh dense on the first token), classifier
//   RobertaForSequenceClassification,     positions from the ids, as fairseq: non-pad tokens count up from
//   XLMRobertaForSequenceClassification   padding_idx + 1, pad tokens keep padding_idx; head: classifier.dense,
//                                         tanh, classifier.out_proj on the first token (no pooler)
// Both: word + position + token-type-0 embeddings and LayerNorm, then post-LayerNorm layers with bidirectional
// attention over the unpadded keys.
import { DataType, ModelProto } from '../../onnx/types';
import { CheckpointWeights } from '../checkpoint-weights';
import { HfConfig, anyValue, only } from '../hf-config';
import { Activation, HfGraph } from '../hf-graph';
import { HfImportError } from '../import-errors';
import { readActivation } from './decoder-config';

export type EncoderFamily = 'bert' | 'roberta';

function labelCount(config: HfConfig): number {
  const id2label = config.object('id2label');
  const declared = config.optionalInt('num_labels');
  if (id2label) return Object.keys(id2label).length;
  return declared ?? 2;
}

export interface BertSpec {
  family: EncoderFamily;
  vocab: number;
  d: number;
  layers: number;
  heads: number;
  inner: number;
  activation: Activation;
  positions: number;
  typeVocab: number;
  eps: number;
  labels: number;
  /** RoBERTa: the pad id, from which positions are counted. */
  padId: number;
}

export function readBert(config: HfConfig, family: EncoderFamily = 'bert'): BertSpec {
  const vocab = config.positiveInt('vocab_size');
  const d = config.positiveInt('hidden_size', 768);
  const layers = config.positiveInt('num_hidden_layers', 12);
  const heads = config.positiveInt('num_attention_heads', 12);
  const inner = config.positiveInt('intermediate_size', 3072);
  const activation = readActivation(config, 'hidden_act', 'gelu');
  const positions = config.positiveInt('max_position_embeddings', 512);
  const typeVocab = config.positiveInt('type_vocab_size', 2);
  const eps = config.number('layer_norm_eps', 1e-12);
  const labels = labelCount(config);
  // RoBERTa's positions depend on which ids are padding (RobertaConfig's default pad_token_id is 1).
  const padId = family === 'roberta' ? config.int('pad_token_id', 1) : 0;
  config.accept({
    position_embedding_type: only('absolute', 'only absolute position embeddings are implemented'),
    is_decoder: only(false, 'a decoder is not a sequence classifier'),
    add_cross_attention: only(false, 'cross-attention is not implemented'),
    tie_word_embeddings: anyValue,
  });
  if (d % heads !== 0) throw new HfImportError(`${config.file}: hidden_size ${d} is not a multiple of num_attention_heads ${heads}`);
  return { family, vocab, d, layers, heads, inner, activation, positions, typeVocab, eps, labels, padId };
}

// RoBERTa positions: m = (ids ≠ pad), pos = cumsum(m)·m + pad   [b, s]
function robertaPositions(g: HfGraph, scope: string, padId: number): string {
  const { b } = g;
  const pad = b.constant(scope, [], DataType.INT64, [padId]);
  const notPad = b.op(scope, 'Cast', [b.op(scope, 'Not', [b.op(scope, 'Equal', [g.inputIds, pad])])], { to: DataType.INT64 });
  const counted = b.op(scope, 'CumSum', [notPad, b.constant(scope, [], DataType.INT64, [1])]);
  return b.op(scope, 'Add', [b.op(scope, 'Mul', [counted, notPad]), pad]);
}

export function buildBertClassifier(spec: BertSpec, weights: CheckpointWeights): ModelProto {
  const { family, vocab, d, layers, heads, inner, activation, positions, typeVocab, eps, labels } = spec;
  const headWeight = family === 'bert' ? 'classifier.weight' : 'classifier.out_proj.weight';
  if (!weights.has(headWeight)) {
    throw new HfImportError(
      `the checkpoint in ${weights.folder.dir} has no classifier (${headWeight}): it is a base or pre-training checkpoint, not a sequence classifier. ` +
        `Create the head in transformers (AutoModelForSequenceClassification.from_pretrained(folder, num_labels=N).save_pretrained(out)) and import that folder.`,
    );
  }
  const headDim = d / heads;
  const g = new HfGraph(`thanora_import_${family}`, weights, weights.dataType);
  const { b } = g;
  const root = family;
  const scope = `/${root}/embeddings`;
  const word = b.op(scope, 'Gather', [g.weight(`${root}.embeddings.word_embeddings.weight`, [vocab, d], 'vocab_size × hidden_size'), g.inputIds]);
  const posTable = g.weight(`${root}.embeddings.position_embeddings.weight`, [positions, d], 'max_position_embeddings × hidden_size');
  const pos =
    family === 'bert'
      ? b.op(scope, 'Slice', [posTable, b.int64s(scope, [0]), g.seqLen, b.int64s(scope, [0])])
      : b.op(scope, 'Gather', [posTable, robertaPositions(g, scope, spec.padId)]);
  // token_type_ids default to 0 (the model's buffer), so every position adds row 0 of the token-type table.
  const typeTable = g.weight(`${root}.embeddings.token_type_embeddings.weight`, [typeVocab, d], 'type_vocab_size × hidden_size');
  const type0 = b.op(scope, 'Gather', [typeTable, b.constant(scope, [], DataType.INT64, [0])]);
  const summed = b.op(scope, 'Add', [b.op(scope, 'Add', [word, type0]), pos]);
  let h = g.layerNorm(`${root}.embeddings.LayerNorm`, b.op(scope, 'Reshape', [summed, b.int64s(scope, [-1, d])]), d, eps);
  const mask = g.maskFor({ causal: false });
  for (let l = 0; l < layers; l++) {
    const p = `${root}.encoder.layer.${l}`;
    const layerScope = `/${root}/encoder/layer.${l}`;
    const q = g.linear(h, `${p}.attention.self.query`, d, d, { bias: true });
    const k = g.linear(h, `${p}.attention.self.key`, d, d, { bias: true });
    const v = g.linear(h, `${p}.attention.self.value`, d, d, { bias: true });
    const context = g.attention(`${layerScope}/attention/self`, q, k, v, { heads, kvHeads: heads, headDim, scaling: headDim ** -0.5 }, mask);
    const attnOut = g.linear(context, `${p}.attention.output.dense`, d, d, { bias: true });
    h = g.layerNorm(`${p}.attention.output.LayerNorm`, b.op(`${layerScope}/attention/output`, 'Add', [attnOut, h]), d, eps);
    const mid = g.activation(`${layerScope}/intermediate/act`, g.linear(h, `${p}.intermediate.dense`, d, inner, { bias: true }), activation);
    const out = g.linear(mid, `${p}.output.dense`, inner, d, { bias: true });
    h = g.layerNorm(`${p}.output.LayerNorm`, b.op(`${layerScope}/output`, 'Add', [out, h]), d, eps);
  }
  // The first token of each row: [N, d] → [b, s, d] → [b, d]; then tanh(dense(·)) and the label scores.
  const hscope = family === 'bert' ? '/bert/pooler' : '/classifier';
  const first = b.op(hscope, 'Gather', [b.op(hscope, 'Reshape', [h, b.op(hscope, 'Concat', [g.batchSeq, b.int64s(hscope, [d])], { axis: 0 })]), b.constant(hscope, [], DataType.INT64, [0])], { axis: 1 });
  const pooled = b.op(hscope, 'Tanh', [g.linear(first, family === 'bert' ? 'bert.pooler.dense' : 'classifier.dense', d, d, { bias: true })]);
  g.linear(pooled, family === 'bert' ? 'classifier' : 'classifier.out_proj', d, labels, { bias: true, output: 'logits' });
  if (family === 'roberta') {
    // RobertaForSequenceClassification builds no pooler; a checkpoint saved from RobertaModel may carry one.
    weights.skip('roberta.pooler.dense.weight');
    weights.skip('roberta.pooler.dense.bias');
  }
  b.output('logits', g.dtype, ['batch', labels]);
  weights.checkAllTaken();
  return b.build(`${family} sequence classifier imported from a Hugging Face folder: d=${d}, layers=${layers}, heads=${heads}, intermediate=${inner}, labels=${labels}`);
}
