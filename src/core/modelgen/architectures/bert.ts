// BERT for sequence classification (BertForSequenceClassification): word + position + token-type-0
// embeddings, post-LayerNorm encoder layers with bidirectional attention over the unpadded keys, the pooler
// (tanh dense on the first token) and the classifier. Output logits [batch, num_labels].
import { DataType, ModelProto } from '../../onnx/types';
import { CheckpointWeights } from '../checkpoint-weights';
import { HfConfig, anyValue, only } from '../hf-config';
import { Activation, HfGraph } from '../hf-graph';
import { HfImportError } from '../import-errors';
import { readActivation } from './decoder-config';

function labelCount(config: HfConfig): number {
  const id2label = config.object('id2label');
  const declared = config.optionalInt('num_labels');
  if (id2label) return Object.keys(id2label).length;
  return declared ?? 2;
}

export interface BertSpec {
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
}

export function readBert(config: HfConfig): BertSpec {
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
  config.accept({
    position_embedding_type: only('absolute', 'only absolute position embeddings are implemented'),
    is_decoder: only(false, 'a decoder BERT is not a sequence classifier'),
    add_cross_attention: only(false, 'cross-attention is not implemented'),
    tie_word_embeddings: anyValue,
  });
  if (d % heads !== 0) throw new HfImportError(`${config.file}: hidden_size ${d} is not a multiple of num_attention_heads ${heads}`);
  return { vocab, d, layers, heads, inner, activation, positions, typeVocab, eps, labels };
}

export function buildBertClassifier(spec: BertSpec, weights: CheckpointWeights): ModelProto {
  const { vocab, d, layers, heads, inner, activation, positions, typeVocab, eps, labels } = spec;
  if (!weights.has('classifier.weight')) {
    throw new HfImportError(
      `the checkpoint in ${weights.folder.dir} has no classifier (classifier.weight): it is a BERT base or pre-training checkpoint, not a sequence classifier. ` +
        `Create the head in transformers (BertForSequenceClassification.from_pretrained(folder, num_labels=N).save_pretrained(out)) and import that folder.`,
    );
  }
  const headDim = d / heads;
  const g = new HfGraph('thanora_import_bert', weights, weights.dataType);
  const { b } = g;
  const scope = '/bert/embeddings';
  const word = b.op(scope, 'Gather', [g.weight('bert.embeddings.word_embeddings.weight', [vocab, d], 'vocab_size × hidden_size'), g.inputIds]);
  const posTable = g.weight('bert.embeddings.position_embeddings.weight', [positions, d], 'max_position_embeddings × hidden_size');
  const pos = b.op(scope, 'Slice', [posTable, b.int64s(scope, [0]), g.seqLen, b.int64s(scope, [0])]);
  // token_type_ids default to 0 (BERT's buffer), so every position adds row 0 of the token-type table.
  const typeTable = g.weight('bert.embeddings.token_type_embeddings.weight', [typeVocab, d], 'type_vocab_size × hidden_size');
  const type0 = b.op(scope, 'Gather', [typeTable, b.constant(scope, [], DataType.INT64, [0])]);
  const summed = b.op(scope, 'Add', [b.op(scope, 'Add', [word, type0]), pos]);
  let h = g.layerNorm('bert.embeddings.LayerNorm', b.op(scope, 'Reshape', [summed, b.int64s(scope, [-1, d])]), d, eps);
  const mask = g.maskFor({ causal: false });
  for (let l = 0; l < layers; l++) {
    const p = `bert.encoder.layer.${l}`;
    const attnScope = `/bert/encoder/layer.${l}/attention/self`;
    const q = g.linear(h, `${p}.attention.self.query`, d, d, { bias: true });
    const k = g.linear(h, `${p}.attention.self.key`, d, d, { bias: true });
    const v = g.linear(h, `${p}.attention.self.value`, d, d, { bias: true });
    const context = g.attention(attnScope, q, k, v, { heads, kvHeads: heads, headDim, scaling: headDim ** -0.5 }, mask);
    const attnOut = g.linear(context, `${p}.attention.output.dense`, d, d, { bias: true });
    h = g.layerNorm(`${p}.attention.output.LayerNorm`, b.op(`/bert/encoder/layer.${l}/attention/output`, 'Add', [attnOut, h]), d, eps);
    const mid = g.activation(`/bert/encoder/layer.${l}/intermediate/act`, g.linear(h, `${p}.intermediate.dense`, d, inner, { bias: true }), activation);
    const out = g.linear(mid, `${p}.output.dense`, inner, d, { bias: true });
    h = g.layerNorm(`${p}.output.LayerNorm`, b.op(`/bert/encoder/layer.${l}/output`, 'Add', [out, h]), d, eps);
  }
  // pooled = tanh(dense(h[:, 0]))   [b, d]
  const pscope = '/bert/pooler';
  const first = b.op(pscope, 'Gather', [b.op(pscope, 'Reshape', [h, b.op(pscope, 'Concat', [g.batchSeq, b.int64s(pscope, [d])], { axis: 0 })]), b.constant(pscope, [], DataType.INT64, [0])], { axis: 1 });
  const pooled = b.op(pscope, 'Tanh', [g.linear(first, 'bert.pooler.dense', d, d, { bias: true })]);
  g.linear(pooled, 'classifier', d, labels, { bias: true, output: 'logits' });
  b.output('logits', g.dtype, ['batch', labels]);
  weights.checkAllTaken();
  return b.build(`bert sequence classifier imported from a Hugging Face folder: d=${d}, layers=${layers}, heads=${heads}, intermediate=${inner}, labels=${labels}`);
}
