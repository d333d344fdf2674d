import { gradcheck } from '../../../../support/gradcheck';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('MatMul gradient', () => {
  it('2-D × 2-D', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }] }));
  it('3-D activations × 2-D weight (Gemm path)', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }] }));
  it('batched with broadcast batch dims', () =>
    gradcheck({ op: 'MatMul', inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }] }));
  it('4-D × 4-D (attention scores)', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [2, 2, 3, 4] }, { shape: [2, 2, 4, 3] }] }));
  it('vector × matrix', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [4] }, { shape: [2, 4, 3] }] }));
  it('matrix × vector', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [2, 3, 4] }, { shape: [4] }] }));
  it('vector × vector (dot product)', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [4] }, { shape: [4] }] }));
  it('vector × 2-D matrix', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [3] }, { shape: [3, 2] }] }));
  it('2-D matrix × vector', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [2, 3] }, { shape: [3] }] }));
  it('4-D batch × vector', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [2, 2, 3, 4] }, { shape: [4] }] }));
  it('vector × 4-D batch', () => gradcheck({ op: 'MatMul', inputs: [{ shape: [3] }, { shape: [2, 1, 3, 2] }] }));
  it('frozen weight: gradient only for activations', () =>
    gradcheck({ op: 'MatMul', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5], constant: true }] }));
});
