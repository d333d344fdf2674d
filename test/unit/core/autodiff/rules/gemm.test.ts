import { gradcheck } from '../../../../support/gradcheck';

// Shapes of A and B for Y (m=2, n=4) with k=3 under each trans flag.
const aShape = (transA: number) => (transA ? [3, 2] : [2, 3]);
const bShape = (transB: number) => (transB ? [4, 3] : [3, 4]);

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Gemm gradient', () => {
  for (const transA of [0, 1]) {
    for (const transB of [0, 1]) {
      it(`transA=${transA} transB=${transB}, alpha/beta ≠ 1, bias [n]`, () =>
        gradcheck({
          op: 'Gemm',
          inputs: [{ shape: aShape(transA) }, { shape: bShape(transB) }, { shape: [4] }],
          attrs: { transA, transB, alpha: { float: 0.5 }, beta: { float: -2 } },
        }));
    }
  }
  it('bias [m, 1] broadcast along n', () => gradcheck({ op: 'Gemm', inputs: [{ shape: [2, 3] }, { shape: [3, 4] }, { shape: [2, 1] }] }));
  it('full bias [m, n]', () => gradcheck({ op: 'Gemm', inputs: [{ shape: [2, 3] }, { shape: [4, 3] }, { shape: [2, 4] }], attrs: { transB: 1 } }));
  it('scalar bias', () => gradcheck({ op: 'Gemm', inputs: [{ shape: [2, 3] }, { shape: [3, 4] }, { shape: [] }], attrs: { beta: { float: 3 } } }));
  it('no bias, frozen weight (nn.Linear export)', () =>
    gradcheck({ op: 'Gemm', inputs: [{ shape: [2, 3] }, { shape: [4, 3], constant: true }], attrs: { transB: 1 } }));
});
