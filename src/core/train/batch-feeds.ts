// A token batch as ONNX Runtime feeds, in the integer types the graph declares for each input.
import * as ort from 'onnxruntime-node';
import { Batch } from '../io/batch-file';
import { LossHeadNames } from '../loss/loss-head';
import { DataType, ModelProto } from '../onnx/types';

function intTensor(values: Int32Array, dims: number[], type: DataType | undefined, name: string): ort.Tensor {
  if (type === DataType.INT32) return new ort.Tensor('int32', values, dims);
  if (type === DataType.INT64 || type === undefined) {
    const data = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
    return new ort.Tensor('int64', data, dims);
  }
  if (type === DataType.FLOAT) return new ort.Tensor('float32', Float32Array.from(values), dims);
  throw new Error(`graph input '${name}' has type ${DataType[type]}; expected int64, int32 or float`);
}

/** Feeds for the model's token inputs and the head's labels / task ids. */
export function batchFeeds(model: ModelProto, batch: Batch, head?: LossHeadNames): Record<string, ort.Tensor> {
  const dims = [batch.batchSize, batch.seqLength];
  const feeds: Record<string, ort.Tensor> = {};
  const initializerNames = new Set(model.graph.initializers.map((t) => t.name));
  for (const input of model.graph.inputs) {
    if (initializerNames.has(input.name)) continue;
    if (input.name === 'input_ids') feeds[input.name] = intTensor(batch.inputIds, dims, input.elemType, input.name);
    else if (input.name === 'attention_mask') feeds[input.name] = intTensor(batch.attentionMask, dims, input.elemType, input.name);
    else if (head && input.name === head.labels) feeds[input.name] = intTensor(batch.labels, batch.labelsDims, input.elemType, input.name);
    else if (head?.taskIds && input.name === head.taskIds) {
      if (!batch.taskIds) throw new Error(`the graph expects per-row task ids ('${input.name}') but the batch has none`);
      feeds[input.name] = intTensor(batch.taskIds, [batch.batchSize], input.elemType, input.name);
    } else if (input.name === 'position_ids') {
      const pos = new Int32Array(batch.batchSize * batch.seqLength).map((_, i) => i % batch.seqLength);
      feeds[input.name] = intTensor(pos, dims, input.elemType, input.name);
    } else if (input.name === 'token_type_ids') {
      feeds[input.name] = intTensor(new Int32Array(batch.batchSize * batch.seqLength), dims, input.elemType, input.name);
    }
  }
  return feeds;
}

/** Names of graph inputs that batchFeeds cannot fill (so callers can report them). */
export function unfedInputs(model: ModelProto, fed: Iterable<string>): string[] {
  const have = new Set(fed);
  const init = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.inputs.map((v) => v.name).filter((n) => !have.has(n) && !init.has(n));
}
