// config.json files as the Hub serves them (written by transformers 4.x: rope_theta and rope_scaling at the
// top level, generation and caching fields, dropout rates) pass the config reader: each import gets past the
// config and stops only at the weights, which these folders do not have. Values as in the models' configs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { writeSafetensors } from '../../../../src/core/io/safetensors';
import { HfImportError } from '../../../../src/core/modelgen/import-errors';
import { importHfModel } from '../../../../src/core/modelgen/import-hf-model';
import { tempDir } from './hf-import-helpers';

const hubConfigs: Record<string, Record<string, unknown>> = {
  'Llama-3.2-1B': {
    architectures: ['LlamaForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 128000, eos_token_id: 128001, head_dim: 64,
    hidden_act: 'silu', hidden_size: 2048, initializer_range: 0.02, intermediate_size: 8192, max_position_embeddings: 131072, mlp_bias: false,
    model_type: 'llama', num_attention_heads: 32, num_hidden_layers: 16, num_key_value_heads: 8, pretraining_tp: 1, rms_norm_eps: 1e-5,
    rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
    rope_theta: 500000.0, tie_word_embeddings: true, torch_dtype: 'bfloat16', transformers_version: '4.45.0.dev0', use_cache: true, vocab_size: 128256,
  },
  'Qwen2.5-0.5B-Instruct': {
    architectures: ['Qwen2ForCausalLM'], attention_dropout: 0.0, bos_token_id: 151643, eos_token_id: 151645, hidden_act: 'silu', hidden_size: 896,
    initializer_range: 0.02, intermediate_size: 4864, max_position_embeddings: 32768, max_window_layers: 21, model_type: 'qwen2', num_attention_heads: 14,
    num_hidden_layers: 24, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true,
    torch_dtype: 'bfloat16', transformers_version: '4.43.1', use_cache: true, use_sliding_window: false, vocab_size: 151936,
  },
  'Qwen3-0.6B': {
    architectures: ['Qwen3ForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 151643, eos_token_id: 151645, head_dim: 128,
    hidden_act: 'silu', hidden_size: 1024, initializer_range: 0.02, intermediate_size: 3072, max_position_embeddings: 40960, max_window_layers: 28,
    model_type: 'qwen3', num_attention_heads: 16, num_hidden_layers: 28, num_key_value_heads: 8, rms_norm_eps: 1e-6, rope_scaling: null, rope_theta: 1000000,
    sliding_window: null, tie_word_embeddings: true, torch_dtype: 'bfloat16', transformers_version: '4.51.0', use_cache: true, use_sliding_window: false,
    vocab_size: 151936,
  },
  'Mistral-7B-v0.1': {
    architectures: ['MistralForCausalLM'], bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 4096, initializer_range: 0.02,
    intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral', num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8,
    rms_norm_eps: 1e-5, rope_theta: 10000.0, sliding_window: 4096, tie_word_embeddings: false, torch_dtype: 'bfloat16', transformers_version: '4.34.0.dev0',
    use_cache: true, vocab_size: 32000,
  },
  'gemma-2b': {
    architectures: ['GemmaForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 2, eos_token_id: 1, head_dim: 256, hidden_act: 'gelu',
    hidden_size: 2048, initializer_range: 0.02, intermediate_size: 16384, max_position_embeddings: 8192, model_type: 'gemma', num_attention_heads: 8,
    num_hidden_layers: 18, num_key_value_heads: 1, pad_token_id: 0, rms_norm_eps: 1e-6, rope_scaling: null, rope_theta: 10000.0, torch_dtype: 'bfloat16',
    transformers_version: '4.38.0.dev0', use_cache: true, vocab_size: 256000,
  },
  'gemma-2-2b-it': {
    architectures: ['Gemma2ForCausalLM'], attention_bias: false, attention_dropout: 0.0, attn_logit_softcapping: 50.0, bos_token_id: 2,
    cache_implementation: 'hybrid', eos_token_id: [1, 107], final_logit_softcapping: 30.0, head_dim: 256, hidden_act: 'gelu_pytorch_tanh',
    hidden_activation: 'gelu_pytorch_tanh', hidden_size: 2304, initializer_range: 0.02, intermediate_size: 9216, max_position_embeddings: 8192,
    model_type: 'gemma2', num_attention_heads: 8, num_hidden_layers: 26, num_key_value_heads: 4, pad_token_id: 0, query_pre_attn_scalar: 256,
    rms_norm_eps: 1e-6, rope_theta: 10000.0, sliding_window: 4096, torch_dtype: 'float32', transformers_version: '4.42.4', use_cache: true, vocab_size: 256000,
  },
  'Phi-3-mini-4k-instruct': {
    _name_or_path: 'Phi-3-mini-4k-instruct', architectures: ['Phi3ForCausalLM'], attention_bias: false, attention_dropout: 0.0,
    auto_map: { AutoConfig: 'configuration_phi3.Phi3Config', AutoModelForCausalLM: 'modeling_phi3.Phi3ForCausalLM' }, bos_token_id: 1, embd_pdrop: 0.0,
    eos_token_id: 32000, hidden_act: 'silu', hidden_size: 3072, initializer_range: 0.02, intermediate_size: 8192, max_position_embeddings: 4096,
    model_type: 'phi3', num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 32, original_max_position_embeddings: 4096, pad_token_id: 32000,
    resid_pdrop: 0.0, rms_norm_eps: 1e-5, rope_scaling: null, rope_theta: 10000.0, sliding_window: 2047, tie_word_embeddings: false, torch_dtype: 'bfloat16',
    transformers_version: '4.40.2', use_cache: true, vocab_size: 32064,
  },
  'Phi-3.5-mini-instruct (longrope)': {
    architectures: ['Phi3ForCausalLM'], attention_dropout: 0.0, bos_token_id: 1, embd_pdrop: 0.0, eos_token_id: 32000, hidden_act: 'silu', hidden_size: 3072,
    initializer_range: 0.02, intermediate_size: 8192, max_position_embeddings: 131072, model_type: 'phi3', num_attention_heads: 32, num_hidden_layers: 32,
    num_key_value_heads: 32, original_max_position_embeddings: 4096, pad_token_id: 32000, resid_pdrop: 0.0, rms_norm_eps: 1e-5,
    rope_scaling: { long_factor: Array(48).fill(1.5), short_factor: Array(48).fill(1.0), type: 'longrope' }, rope_theta: 10000.0, sliding_window: 262144,
    tie_word_embeddings: false, torch_dtype: 'bfloat16', transformers_version: '4.43.3', use_cache: true, vocab_size: 32064,
  },
  gpt2: {
    activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], attn_pdrop: 0.1, bos_token_id: 50256, embd_pdrop: 0.1, eos_token_id: 50256,
    initializer_range: 0.02, layer_norm_epsilon: 1e-5, model_type: 'gpt2', n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024,
    resid_pdrop: 0.1, summary_activation: null, summary_first_dropout: 0.1, summary_proj_to_labels: true, summary_type: 'cls_index', summary_use_proj: true,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } }, vocab_size: 50257,
  },
  'bert-base-uncased fine-tuned (SST-2)': {
    architectures: ['BertForSequenceClassification'], attention_probs_dropout_prob: 0.1, finetuning_task: 'sst-2', gradient_checkpointing: false,
    hidden_act: 'gelu', hidden_dropout_prob: 0.1, hidden_size: 768, id2label: { 0: 'negative', 1: 'positive' }, initializer_range: 0.02,
    intermediate_size: 3072, label2id: { negative: 0, positive: 1 }, layer_norm_eps: 1e-12, max_position_embeddings: 512, model_type: 'bert',
    num_attention_heads: 12, num_hidden_layers: 12, pad_token_id: 0, position_embedding_type: 'absolute', transformers_version: '4.6.0.dev0',
    type_vocab_size: 2, use_cache: true, vocab_size: 30522,
  },
  'roberta-base fine-tuned': {
    architectures: ['RobertaForSequenceClassification'], attention_probs_dropout_prob: 0.1, bos_token_id: 0, classifier_dropout: null, eos_token_id: 2,
    hidden_act: 'gelu', hidden_dropout_prob: 0.1, hidden_size: 768, initializer_range: 0.02, intermediate_size: 3072, layer_norm_eps: 1e-5,
    max_position_embeddings: 514, model_type: 'roberta', num_attention_heads: 12, num_hidden_layers: 12, pad_token_id: 1, position_embedding_type: 'absolute',
    problem_type: 'single_label_classification', torch_dtype: 'float32', transformers_version: '4.30.0', type_vocab_size: 1, use_cache: true, vocab_size: 50265,
  },
};

describe('Hub config.json files', () => {
  const root = tempDir();
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const [name, config] of Object.entries(hubConfigs)) {
    it(`${name}: every field is understood; the import stops only at the missing weights`, () => {
      const dir = path.join(root, name.replace(/\W+/g, '-'));
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
      writeSafetensors(path.join(dir, 'model.safetensors'), new Map());
      assert.throws(
        () => importHfModel(dir),
        (e: Error) => e instanceof HfImportError && /has no tensor '(model|transformer|bert|roberta)\.[^']*'|has no classifier/.test(e.message),
      );
    });
  }
});
