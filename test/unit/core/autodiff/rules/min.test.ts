import { gradcheck } from '../../../../support/gradcheck';

// Min shares its rule with Max (selectedInputGrad); the tie-breaking (first input wins) is tested exactly in
// max.test.ts. Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6); random normal inputs have no ties.
describe('Min gradient', () => {
  it('two inputs, same shapes', () => gradcheck({ op: 'Min', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }] }));
  it('three inputs with broadcast', () => gradcheck({ op: 'Min', inputs: [{ shape: [2, 3, 4] }, { shape: [4] }, { shape: [3, 1] }] }));
  it('frozen second input', () => gradcheck({ op: 'Min', inputs: [{ shape: [2, 3] }, { shape: [2, 3], constant: true }] }));
});
