// AdamW state <-> safetensors: each slot a 1-D F32 tensor under its slot name, the step in __metadata__.
import type { SafeTensor, SafetensorsFile } from '../io/safetensors';
import { AdamWError, AdamWState } from './adamw';

export const ADAMW_STEP_METADATA_KEY = 'adamw.step';

export function adamwStateToSafetensors(state: AdamWState): { tensors: Map<string, SafeTensor>; metadata: Record<string, string> } {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, values] of Object.entries(state.slots)) tensors.set(name, { dtype: 'F32', shape: [values.length], data: values });
  return { tensors, metadata: { [ADAMW_STEP_METADATA_KEY]: String(state.step) } };
}

/** `source` names the checkpoint file in errors. */
export function adamwStateFromSafetensors(file: SafetensorsFile, source: string): AdamWState {
  const stepText = file.metadata?.[ADAMW_STEP_METADATA_KEY];
  if (stepText === undefined || !/^\d+$/.test(stepText)) {
    throw new AdamWError(`${source}: __metadata__ has no "${ADAMW_STEP_METADATA_KEY}" step count (found ${JSON.stringify(stepText)}); it is not an AdamW checkpoint`);
  }
  const slots: Record<string, Float32Array> = {};
  for (const [name, tensor] of file.tensors) {
    if (tensor.dtype !== 'F32') throw new AdamWError(`${source}: slot '${name}' is ${tensor.dtype}; AdamW slots are F32`);
    slots[name] = tensor.data as Float32Array;
  }
  return { step: Number(stepText), slots };
}
