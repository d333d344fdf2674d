import { gradcheck } from '../../../../support/gradcheck';

const op = 'GroupNormalization';

// Opset 21 computes in stash_type (default float32) even for float64 X, which would drown float64 finite
// differences in rounding noise: the float64 cases set stash_type = 11 (double).
const stashDouble = { stash_type: 11 };
const perChannel = (x: number[]) => [{ shape: x }, { shape: [x[1]] }, { shape: [x[1]] }];

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6), except where stated.
describe('GroupNormalization gradient', () => {
  describe('opset 21: per-channel scale and bias', () => {
    it('(N, C, L) with 2 groups of 2 channels', () =>
      gradcheck({ op, opset: 21, inputs: perChannel([2, 4, 3]), attrs: { num_groups: 2, ...stashDouble } }));
    it('(N, C, H, W) with one group per channel', () =>
      gradcheck({ op, opset: 21, inputs: perChannel([1, 3, 2, 2]), attrs: { num_groups: 3, ...stashDouble } }));
    it('one group, epsilon 1e-3, frozen bias', () =>
      gradcheck({
        op,
        opset: 21,
        inputs: [{ shape: [2, 2, 3] }, { shape: [2] }, { shape: [2], constant: true }],
        attrs: { num_groups: 1, epsilon: { float: 1e-3 }, ...stashDouble },
      }));
    // Tolerance: relative 2e-2 (float32 finite differences, ε = 1e-2).
    it('float32 with the default stash_type', () =>
      gradcheck({ op, opset: 21, kind: 'float', inputs: perChannel([2, 4, 3]), attrs: { num_groups: 2 } }));
  });
  describe('opset 18: per-group scale and bias', () => {
    it('(N, C, L) with 2 groups', () =>
      gradcheck({ op, opset: 18, inputs: [{ shape: [2, 4, 3] }, { shape: [2] }, { shape: [2] }], attrs: { num_groups: 2 } }));
    it('(N, C, H, W) with 3 groups', () =>
      gradcheck({ op, opset: 18, inputs: [{ shape: [1, 6, 2, 1] }, { shape: [3] }, { shape: [3] }], attrs: { num_groups: 3 } }));
  });
});
