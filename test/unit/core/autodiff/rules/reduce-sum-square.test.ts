import { reduceAxesCases } from '../../../../support/reduce-axes-cases';

const op = 'ReduceSumSquare';

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe(`${op} gradient`, () => {
  reduceAxesCases(op);
});
