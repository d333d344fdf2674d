// End to end on the PyTorch fixtures, without LoRA: the loss head appended to the exported model, run by
// ONNX Runtime on batch.json, against a float64 TypeScript cross-entropy of the base logits PyTorch produced.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { appendCausalLmLoss } from '../../../../src/core/loss/causal-lm-loss';
import { checkCausalLmBatch, checkSequenceClassificationBatch } from '../../../../src/core/loss/label-checks';
import { appendSequenceClassificationLoss } from '../../../../src/core/loss/sequence-classification-loss';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { assertRelClose, checkHeadGradient, float64, int64, logitsModel, runModel } from './head-test-model';
import { causalLmReference, classificationReference, readSafetensorsF32, tokenCrossEntropy } from './reference-cross-entropy';

const fixtureDir = (name: string) => path.join(__dirname, '../../../../../test/fixtures', name);

interface Batch {
  input_ids: number[][];
  attention_mask: number[][];
  labels: number[][] | number[];
}

function loadFixture(name: string) {
  const dir = fixtureDir(name);
  return {
    model: readModelFile(path.join(dir, 'model.onnx')),
    batch: JSON.parse(fs.readFileSync(path.join(dir, 'batch.json'), 'utf8')) as Batch,
    logits: readSafetensorsF32(path.join(dir, 'expected_logits.safetensors')),
    torchLoss: (JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { loss: number }).loss,
  };
}

const feedsOf = (batch: Batch) => ({
  input_ids: int64(batch.input_ids),
  attention_mask: int64(batch.attention_mask),
  labels: int64(batch.labels),
});

describe('loss heads on the fixtures (no LoRA)', () => {
  describe('tiny-llama, causal LM', () => {
    const f = loadFixture('tiny-llama');
    const labels = f.batch.labels as number[][];
    const base = f.logits.get('base')!;

    // Tolerance: relative 1e-6. PyTorch's loss on the adapted logits validates the TypeScript oracle itself.
    it('the TypeScript reference reproduces PyTorch’s loss', () => {
      const adapted = f.logits.get('adapted')!;
      assertRelClose(causalLmReference(adapted.data, adapted.shape, labels).loss, f.torchLoss, 1e-6, 'reference loss');
    });

    // Tolerance: relative 1e-5 (float32 model in ONNX Runtime vs float64 cross-entropy of PyTorch's logits).
    it('ONNX Runtime loss equals the float64 cross-entropy of the base logits', async () => {
      assert.deepStrictEqual(checkCausalLmBatch({ inputIds: f.batch.input_ids, attentionMask: f.batch.attention_mask, labels }, { vocabSize: 96 }), {
        countedTokens: 28,
      });
      const head = appendCausalLmLoss(f.model);
      const out = await runModel(head.model, feedsOf(f.batch));
      assertRelClose(Number(out.loss.data[0]), causalLmReference(base.data, base.shape, labels).loss, 1e-5, 'tiny-llama loss');
    });

    // Tolerance: 1e-12 absolute for the closed form (float64); relative 1e-6 for finite differences (ε = 1e-6).
    it('d loss / d logits is (softmax − onehot) / counted at the fixture’s shape', async () => {
      const [b, s, V] = base.shape;
      const head = appendCausalLmLoss(logitsModel(base.shape.map((value) => ({ value }))));
      const feeds = { x: float64(Array.from(base.data), base.shape), labels: int64(labels) };
      // Every vocabulary entry of one counted, one ignored (row 0, t = 1) and one last position, and a stride.
      const elements = [...[1 * V, (s + 3) * V, (s - 1) * V].flatMap((o) => Array.from({ length: V }, (_, v) => o + v))];
      for (let i = 7; i < b * s * V; i += 97) elements.push(i);
      const grad = await checkHeadGradient(head, feeds, { elements });
      const counted = causalLmReference(base.data, base.shape, labels).counted;
      let maxError = 0;
      for (let r = 0; r < b; r++) {
        for (let t = 0; t < s; t++) {
          const label = t + 1 < s ? labels[r][t + 1] : -100;
          for (let v = 0; v < V; v++) {
            const k = (r * s + t) * V + v;
            // d(−log p_label)/dz_v = p_v − [v = label]; p_v = exp(−CE(z, v)).
            const expected = label === -100 ? 0 : (Math.exp(-tokenCrossEntropy(base.data, (r * s + t) * V, V, v)) - (v === label ? 1 : 0)) / counted;
            maxError = Math.max(maxError, Math.abs(grad[k] - expected));
          }
        }
      }
      assert.ok(maxError < 1e-12, `closed-form gradient mismatch ${maxError}`);
    });
  });

  describe('tiny-bert-cls, sequence classification', () => {
    const f = loadFixture('tiny-bert-cls');
    const labels = f.batch.labels as number[];
    const base = f.logits.get('base')!;

    // Tolerance: relative 1e-6 (float32 logits stored by PyTorch, loss recomputed in float64).
    it('the TypeScript reference reproduces PyTorch’s loss', () => {
      const adapted = f.logits.get('adapted')!;
      assertRelClose(classificationReference(adapted.data, adapted.shape, labels).loss, f.torchLoss, 1e-6, 'reference loss');
    });

    // Tolerance: relative 1e-5 (float32 model in ONNX Runtime vs float64 cross-entropy of PyTorch's logits).
    it('ONNX Runtime loss equals the float64 cross-entropy of the base logits', async () => {
      checkSequenceClassificationBatch({ inputIds: f.batch.input_ids, attentionMask: f.batch.attention_mask, labels }, { classCount: 3 });
      const head = appendSequenceClassificationLoss(f.model);
      const out = await runModel(head.model, feedsOf(f.batch));
      assertRelClose(Number(out.loss.data[0]), classificationReference(base.data, base.shape, labels).loss, 1e-5, 'tiny-bert-cls loss');
    });

    // Tolerance: relative 1e-6 (float64 central differences, ε = 1e-6).
    it('d loss / d logits matches finite differences at the fixture’s logits', async () => {
      const head = appendSequenceClassificationLoss(logitsModel(base.shape.map((value) => ({ value }))));
      await checkHeadGradient(head, { x: float64(Array.from(base.data), base.shape), labels: int64(labels) });
    });
  });
});
