// Checks of the shipped demo base model (examples/demo/model.onnx, made by src/demo-tools/make-demo-model.ts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { BYTE_EOS_ID, ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { DEMO_MODEL_CONFIG } from '../../../../src/core/demo/demo-model-recipe';
import { resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { LLAMA_CONFIG_METADATA_KEY } from '../../../../src/core/modelgen/build-llama';
import { resolveLlamaConfig } from '../../../../src/core/modelgen/llama-config';
import { readModelFile } from '../../../../src/core/onnx/model-file';

const modelFile = path.resolve(__dirname, '../../../../../examples/demo/model.onnx');
const tokenizer = new ByteTokenizer();

/** Greedy decoding until EOS or `maxTokens`, one full forward per token (the model is tiny). */
async function greedy(session: ort.InferenceSession, prompt: string, maxTokens: number): Promise<string> {
  const ids = tokenizer.encode(prompt, true);
  const generated: number[] = [];
  for (let k = 0; k < maxTokens; k++) {
    const all = [...ids, ...generated];
    const tensor = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
    const out = await session.run({ input_ids: tensor(all), attention_mask: tensor(all.map(() => 1)) });
    const logits = out.logits.data as Float32Array;
    const vocab = out.logits.dims[2];
    const last = logits.subarray((all.length - 1) * vocab, all.length * vocab);
    const next = last.indexOf(Math.max(...last));
    if (next === BYTE_EOS_ID) break;
    generated.push(next);
  }
  return tokenizer.decode(generated);
}

describe('demo base model (examples/demo/model.onnx)', () => {
  it('is the DEMO_MODEL_CONFIG byte decoder, at most 15 MB, with 7 LoRA targets per layer', () => {
    assert.ok(fs.statSync(modelFile).size <= 15 * 2 ** 20);
    const model = readModelFile(modelFile);
    const meta = model.metadata.find((m) => m.key === LLAMA_CONFIG_METADATA_KEY);
    assert.deepStrictEqual(JSON.parse(meta!.value), resolveLlamaConfig(DEMO_MODEL_CONFIG));
    assert.strictEqual(resolveTargets(model, 'all-linear').length, 7 * DEMO_MODEL_CONFIG.numLayers);
  });

  it('learned the corpus skills (upper, next) but not the demo tasks, which are left for the adapter', async function () {
    this.timeout(30000);
    const session = await ort.InferenceSession.create(modelFile, { intraOpNumThreads: 1 });
    try {
      // Corpus formats: "upper: <word>\n" → the word in capitals; "next: <n>\n" → n + 1.
      assert.strictEqual(await greedy(session, 'upper: garden\n', 10), 'GARDEN');
      assert.strictEqual(await greedy(session, 'next: 41\n', 6), '42');
      // A demo task it never saw: the base model does not reverse a string.
      assert.notStrictEqual(await greedy(session, 'reverse: stone\n', 10), 'enots');
    } finally {
      await session.release();
    }
  });
});
