// The large-module paths: ONNX Runtime products (float64, vs JS within 1e-12 relative) and PiSSA's randomized
// SVD above 512 dimensions, which must reproduce an exactly rank-r W: ‖s·B·A − W‖ ≤ 1e-8·‖W‖. OLoRA against PEFT's
// own olora_init (test/fixtures/olora, scripts/fixtures/make-olora-fixture.py; float32 in PEFT, float64 here):
// A, B and the residual W − s·B·A to 1e-5 of max|W|.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Matrix, frobeniusNorm, fromRows, matmul, maxAbsDifference, scale, subtract } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { loraModule, moduleSeed, oloraModule, pissaModule } from '../../../../src/core/method/module-inits';
import { ortMatmul } from '../../../../src/core/method/ort-matmul';
import { previewGroups } from '../../../../src/core/method/method-request';
import { DataType } from '../../../../src/core/onnx/types';

describe('method/module-inits', function () {
  this.timeout(60000);
  it('ortMatmul equals the JS product', async () => {
    const rng = seededRng(41);
    const a = randomNormalMatrix(37, 29, rng);
    const b = randomNormalMatrix(29, 11, rng);
    const ort = ortMatmul({ device: 'cpu', threads: 1 });
    const got = await ort.matmul(a, b);
    await ort.release();
    const expected = matmul(a, b);
    assert.ok(frobeniusNorm(subtract(got, expected)) <= 1e-12 * frobeniusNorm(expected));
  });

  it('pissa on a 600×520 weight (randomized SVD with ONNX Runtime products) recovers a rank-4 W', async () => {
    const rng = seededRng(42);
    const w = matmul(randomNormalMatrix(600, 4, rng), randomNormalMatrix(4, 520, rng));
    const ort = ortMatmul({ device: 'cpu', threads: 1 });
    const init = await pissaModule('big', w, 4, 8, 0, ort.matmul);
    await ort.release();
    const sBA = matmul(init.b, init.a).data.map((v) => v * init.scaling);
    const err = frobeniusNorm(subtract({ ...w, data: sBA }, w));
    assert.ok(err <= 1e-8 * frobeniusNorm(w), `${err}`);
  });

  it('lora: Kaiming A within ±1/√d_in, B = 0, seeded per module name', () => {
    const x = loraModule('model.layers.0.q', 16, 8, 4, 8, 1);
    assert.ok(x.a.data.every((v) => Math.abs(v) <= 0.25) && x.a.data.some((v) => v !== 0));
    assert.ok(x.b.data.every((v) => v === 0));
    assert.deepStrictEqual(loraModule('model.layers.0.q', 16, 8, 4, 8, 1).a, x.a);
    assert.notDeepStrictEqual(loraModule('model.layers.0.k', 16, 8, 4, 8, 1).a, x.a);
    assert.notStrictEqual(moduleSeed('a', 0), moduleSeed('a', 1));
  });

  it("olora: A, B and the residual equal PEFT's olora_init on a tall, a square and a wide weight (1e-5 of max|W|)", () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../../test/fixtures/olora/olora.json'), 'utf8'));
    assert.strictEqual(fixture.cases.length, 3);
    for (const c of fixture.cases) {
      const w = fromRows(c.weight);
      const init = oloraModule(c.name, w, fixture.r, fixture.lora_alpha);
      const tol = 1e-5 * Math.max(...w.data.map(Math.abs));
      assert.strictEqual(init.scaling, c.scaling);
      const check = (what: string, got: Matrix, want: number[][]) => {
        assert.deepStrictEqual([got.rows, got.cols], [want.length, want[0].length], `${c.name} ${what} shape`);
        const diff = maxAbsDifference(got, fromRows(want));
        assert.ok(diff <= tol, `${c.name} ${what}: max diff ${diff.toExponential(2)}`);
      };
      check('A', init.a, c.A);
      check('B', init.b, c.B);
      check('W − s·B·A', subtract(w, scale(matmul(init.b, init.a), init.scaling)), c.residual);
    }
  });

  it('previewGroups keeps whole layers and merges them while the covariances fit', () => {
    const m = (name: string) => ({ peftName: name, node: '', output: name, op: 'MatMul' as const, initializer: name, stored: 'in_out' as const, dIn: 8, dOut: 8, dtype: DataType.FLOAT });
    const modules = ['model.layers.0.q', 'model.layers.0.k', 'model.layers.1.q', 'model.layers.1.k', 'lm_head'].map(m);
    const perModule = 8 * 8 * 8 * 2;
    assert.deepStrictEqual(previewGroups(modules, 2, 4 * perModule).map((g) => g.length), [4, 1]);
    assert.deepStrictEqual(previewGroups(modules, 2, 1).map((g) => g.length), [2, 2, 1]);
  });
});
