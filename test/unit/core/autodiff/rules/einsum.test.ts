import * as assert from 'assert';
import { gradcheck } from '../../../../support/gradcheck';

const einsum = (equation: string, ...shapes: number[][]) => ({
  op: 'Einsum',
  inputs: shapes.map((shape) => ({ shape })),
  attrs: { equation },
});

// Tolerance: relative 1e-6 (float64 finite differences, ε = 1e-6).
describe('Einsum gradient', () => {
  describe('forms torch.onnx.export emits', () => {
    it('i,j->ij (rotary outer product)', () => gradcheck(einsum('i,j->ij', [3], [4])));
    it('bhqd,bhkd->bhqk (attention scores)', () => gradcheck(einsum('bhqd,bhkd->bhqk', [2, 2, 3, 2], [2, 2, 4, 2])));
    it('bhqk,bhkd->bhqd (attention values)', () => gradcheck(einsum('bhqk,bhkd->bhqd', [1, 2, 3, 4], [1, 2, 4, 2])));
    it('bij,bjk->bik', () => gradcheck(einsum('bij,bjk->bik', [2, 3, 4], [2, 4, 2])));
    it('...ij,...jk->...ik with broadcast ellipsis dims', () => gradcheck(einsum('...ij,...jk->...ik', [2, 1, 3, 2], [1, 3, 2, 4])));
  });
  describe('general rule', () => {
    it('spaces and the implicit output (ij,jk)', () => gradcheck(einsum('ij, jk', [2, 3], [3, 4])));
    it('a letter only in one operand is summed, then broadcast back (ij,j->j)', () => gradcheck(einsum('ij,j->j', [3, 4], [4])));
    it('only-here letter after an ellipsis (...ij,j->...j)', () => gradcheck(einsum('...ij,j->...j', [2, 3, 4], [4])));
    it('one operand without the ellipsis (...ij,jk->...ik)', () => gradcheck(einsum('...ij,jk->...ik', [2, 2, 3], [3, 4])));
    it('three operands (i,ij,j->)', () => gradcheck(einsum('i,ij,j->', [2], [2, 3], [3])));
  });
  describe('single operand', () => {
    it('ij->ji', () => gradcheck(einsum('ij->ji', [2, 3])));
    it('ij->i', () => gradcheck(einsum('ij->i', [2, 3])));
    it('bij->', () => gradcheck(einsum('bij->', [2, 3, 2])));
  });
  it('a diagonal (ii->i) fails with a named error', () => assert.rejects(gradcheck(einsum('ii->i', [3, 3])), /repeated subscripts/));
});
