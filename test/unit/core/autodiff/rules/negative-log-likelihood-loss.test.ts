import { gradcheck } from '../../../../support/gradcheck';

const labels = (values: number[], shape: number[], dtype: 'int64' | 'int32' = 'int64') => ({ shape, dtype, constant: true, values });

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6). NLL is linear in its input, so the central
// difference is exact up to rounding.
describe('NegativeLogLikelihoodLoss gradient', () => {
  it('mean, no ignore_index', () =>
    gradcheck({ op: 'NegativeLogLikelihoodLoss', inputs: [{ shape: [4, 5] }, labels([0, 4, 2, 2], [4])], attrs: { reduction: 'mean' } }));

  it('mean with ignored labels (ignore_index −100)', () =>
    gradcheck({
      op: 'NegativeLogLikelihoodLoss',
      inputs: [{ shape: [5, 4] }, labels([3, -100, 0, -100, 1], [5])],
      attrs: { reduction: 'mean', ignore_index: -100 },
    }));

  it('sum, rank 3 [N, C, D]', () =>
    gradcheck({
      op: 'NegativeLogLikelihoodLoss',
      inputs: [{ shape: [2, 4, 3] }, labels([0, 3, -100, 2, -100, 1], [2, 3])],
      attrs: { reduction: 'sum', ignore_index: -100 },
    }));

  it('none with ignored labels', () =>
    gradcheck({
      op: 'NegativeLogLikelihoodLoss',
      inputs: [{ shape: [4, 3] }, labels([2, -100, 1, 0], [4])],
      attrs: { reduction: 'none', ignore_index: -100 },
    }));

  it('class weights, mean', () =>
    gradcheck({
      op: 'NegativeLogLikelihoodLoss',
      inputs: [{ shape: [5, 3] }, labels([2, -100, 1, 0, 2], [5]), { shape: [3], constant: true, values: [0.5, 2, 1.25] }],
      attrs: { reduction: 'mean', ignore_index: -100 },
    }));

  it('int32 labels', () =>
    gradcheck({
      op: 'NegativeLogLikelihoodLoss',
      inputs: [{ shape: [4, 3] }, labels([2, -100, 1, 0], [4], 'int32')],
      attrs: { reduction: 'mean', ignore_index: -100 },
    }));
});
