// Why a loss came out NaN or ±Inf, said from what is known rather than as a list of guesses: the inputs that
// carry numbers into the loss are checked, the trained adapter first, then the frozen base weights. Only when
// both are finite is the cause in the arithmetic (an overflowing forward pass).
import { readTensorBytes } from '../onnx/external-data';
import { isFloatType, tensorToFloat32, tensorToNumbers } from '../onnx/tensor-data';
import { DataType, ModelProto } from '../onnx/types';

function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** The sentence after "the loss is NaN on this batch: ". */
export function explainNonFiniteLoss(model: ModelProto, adapterValues: ReadonlyMap<string, Float32Array>, precision: 'float32' | 'float64'): string {
  for (const [name, values] of adapterValues) {
    const i = firstNonFinite(values);
    if (i >= 0) {
      return `the adapter tensor '${name}' holds ${values[i]} (element ${i}); the adapter is damaged or training diverged before this step: start from a finite adapter (a checkpoint before it) and lower training.lr`;
    }
  }
  for (const t of model.graph.initializers) {
    if (!isFloatType(t.dataType) || (!t.raw && !t.external)) continue;
    // Weights kept in external data are read one tensor at a time; float64 stays float64 (no false overflow).
    const loaded = t.raw ? t : { ...t, raw: readTensorBytes(t), external: undefined };
    const values = t.dataType === DataType.DOUBLE ? tensorToNumbers(loaded) : tensorToFloat32(loaded);
    const i = firstNonFinite(values);
    if (i >= 0) return `the base model's weight '${t.name}' holds ${values[i]} (element ${i}); the base model is damaged: re-export it`;
  }
  return `the adapter and the base weights are finite, so the forward pass overflowed in ${precision}: lower training.lr, or set training.gradClip, and check float16 weights for values past 65504`;
}
