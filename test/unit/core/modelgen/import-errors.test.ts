// Bad Hugging Face folders fail with an HfImportError that names the file, field or tensor and says what to do.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readSafetensors, writeSafetensors } from '../../../../src/core/io/safetensors';
import { HfImportError } from '../../../../src/core/modelgen/import-errors';
import { importHfModel } from '../../../../src/core/modelgen/import-hf-model';
import { hfFixture, importFixture, tempDir } from './hf-import-helpers';

const llamaDir = path.join(hfFixture('hf-llama-ts'), 'hf_base');
const shardedDir = path.join(importFixture('llama-sharded'), 'hf_base');

function throwsImport(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof HfImportError, `expected HfImportError, got ${e.name}: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message lacks '${f}': ${e.message}`);
    return true;
  });
}

describe('importHfModel errors', () => {
  const root = tempDir();
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const copy = (src: string) => {
    const dst = path.join(root, `case-${n++}`);
    fs.cpSync(src, dst, { recursive: true });
    return dst;
  };
  const editConfig = (dir: string, edit: (c: Record<string, unknown>) => void) => {
    const file = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(config);
    fs.writeFileSync(file, JSON.stringify(config));
  };

  it('not a model folder: missing folder, no config.json, no safetensors (pickled weights are named)', () => {
    throwsImport(() => importHfModel(path.join(root, 'nowhere')), 'nowhere', 'is not a folder');
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    throwsImport(() => importHfModel(empty), 'has no config.json');
    const bin = copy(llamaDir);
    fs.renameSync(path.join(bin, 'model.safetensors'), path.join(bin, 'pytorch_model.bin'));
    throwsImport(() => importHfModel(bin), 'neither model.safetensors nor model.safetensors.index.json', 'pytorch_model.bin', 'safe_serialization=True');
  });

  it('a truncated safetensors file names the file and the cut tensor', () => {
    const dir = copy(llamaDir);
    const file = path.join(dir, 'model.safetensors');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 1000));
    throwsImport(() => importHfModel(dir), file, 'was cut short');
  });

  it('shards: missing, truncated, or not holding what the index says', () => {
    const shards = [...new Set(Object.values(JSON.parse(fs.readFileSync(path.join(shardedDir, 'model.safetensors.index.json'), 'utf8')).weight_map as Record<string, string>))].sort();
    assert.ok(shards.length >= 3, `${shards.length} shards`);
    const missing = copy(shardedDir);
    fs.rmSync(path.join(missing, shards[2]));
    throwsImport(() => importHfModel(missing), 'model.safetensors.index.json', `shard '${shards[2]}'`, 'is missing', 'download the missing shard');

    const cut = copy(shardedDir);
    const shard = path.join(cut, shards[1]);
    fs.writeFileSync(shard, fs.readFileSync(shard).subarray(0, 100));
    throwsImport(() => importHfModel(cut), `shard '${shards[1]}'`, 'cut short');

    const wrong = copy(shardedDir);
    const indexFile = path.join(wrong, 'model.safetensors.index.json');
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
    const [key] = Object.entries(index.weight_map as Record<string, string>).find(([, s]) => s === shards[0])!;
    index.weight_map[key] = shards[shards.length - 1];
    fs.writeFileSync(indexFile, JSON.stringify(index));
    throwsImport(() => importHfModel(wrong), `'${key}'`, shards[shards.length - 1], 'different checkpoints');

    const bad = copy(shardedDir);
    fs.writeFileSync(path.join(bad, 'model.safetensors.index.json'), '{"metadata": {}}');
    throwsImport(() => importHfModel(bad), 'no "weight_map"');
  });

  it('dtype: --dtype bfloat16 and integer weights are refused', () => {
    throwsImport(() => importHfModel(llamaDir, { dtype: 'bfloat16' as never }), '--dtype bfloat16', 'float32 or float16');
    const dir = copy(llamaDir);
    const file = path.join(dir, 'model.safetensors');
    const st = readSafetensors(file);
    const w = st.tensors.get('model.norm.weight')!;
    st.tensors.set('model.norm.weight', { dtype: 'I32', shape: w.shape, data: new Int32Array(w.data.length) });
    writeSafetensors(file, st.tensors, st.metadata);
    throwsImport(() => importHfModel(dir), "'model.norm.weight'", 'dtype I32', 'F32, F16, BF16');
  });

  it('weights that do not fit the config: wrong shape, missing, left over', () => {
    const shape = copy(llamaDir);
    editConfig(shape, (c) => (c.intermediate_size = 100));
    throwsImport(() => importHfModel(shape), "'model.layers.0.mlp.gate_proj.weight'", 'shape [128,64]', 'implies [100,64]');

    const missing = copy(llamaDir);
    const st = readSafetensors(path.join(missing, 'model.safetensors'));
    st.tensors.delete('model.norm.weight');
    writeSafetensors(path.join(missing, 'model.safetensors'), st.tensors, st.metadata);
    throwsImport(() => importHfModel(missing), "no tensor 'model.norm.weight'", 'do not belong to this config');

    const extra = copy(llamaDir);
    const st2 = readSafetensors(path.join(extra, 'model.safetensors'));
    st2.tensors.set('model.layers.0.self_attn.q_norm.weight', { dtype: 'F32', shape: [16], data: new Float32Array(16) });
    writeSafetensors(path.join(extra, 'model.safetensors'), st2.tensors, st2.metadata);
    throwsImport(() => importHfModel(extra), 'model.layers.0.self_attn.q_norm.weight', 'does not use');
  });

  it('unsupported architectures, model types, config fields and rope types name the value and the supported list', () => {
    const type = copy(llamaDir);
    editConfig(type, (c) => (c.model_type = 'falcon'));
    throwsImport(() => importHfModel(type), 'model_type "falcon" is not supported', 'LlamaForCausalLM (model_type "llama")', 'BertForSequenceClassification');

    const head = copy(llamaDir);
    editConfig(head, (c) => (c.architectures = ['LlamaForSequenceClassification']));
    throwsImport(() => importHfModel(head), 'LlamaForSequenceClassification', 'builds LlamaForCausalLM only');

    const field = copy(llamaDir);
    editConfig(field, (c) => (c.logit_scale = 0.5));
    throwsImport(() => importHfModel(field), '"logit_scale" = 0.5', 'not implemented by the llama importer', 'Fields it reads:');

    const quantized = copy(llamaDir);
    editConfig(quantized, (c) => (c.quantization_config = { quant_method: 'bitsandbytes' }));
    throwsImport(() => importHfModel(quantized), 'quantized', 'unquantized checkpoint');

    const rope = copy(llamaDir);
    editConfig(rope, (c) => (c.rope_parameters = { rope_type: 'proportional', rope_theta: 10000 }));
    throwsImport(() => importHfModel(rope), 'rope_type "proportional" is not supported', '"llama3"');

    const ropeKey = copy(llamaDir);
    editConfig(ropeKey, (c) => (c.rope_parameters = { rope_type: 'linear', rope_theta: 10000, factor: 2, beta_fast: 3 }));
    throwsImport(() => importHfModel(ropeKey), '"beta_fast"', 'rope_type "linear"');

    const act = copy(llamaDir);
    editConfig(act, (c) => (c.hidden_act = 'mish'));
    throwsImport(() => importHfModel(act), '"hidden_act": "mish" is not supported', '"silu"');

    const heads = copy(llamaDir);
    editConfig(heads, (c) => (c.num_key_value_heads = 3));
    throwsImport(() => importHfModel(heads), 'num_attention_heads 4 is not a multiple of num_key_value_heads 3');
  });
});
