// `thanora grad`: loss and LoRA gradients of a PEFT adapter on one batch, the user's check of a custom
// model (and the engine's oracle test). Gradients are written under the adapter's own keys.
import { readBatchFile } from '../../core/io/batch-file';
import { readPeftAdapter } from '../../core/io/peft-adapter';
import { writeSafetensors } from '../../core/io/safetensors';
import { peftKeyPrefix } from '../../core/lora/peft-names';
import { checkCausalLmBatch, checkSequenceClassificationBatch } from '../../core/loss/label-checks';
import { readModelFile } from '../../core/onnx/model-file';
import { declaredLogits, inputIdsVocabulary } from '../../core/onnx/token-vocabulary';
import { checkModelSupport } from '../../core/onnx/runtime-support';
import { singlePositionLogitsProblem } from '../../core/onnx/export-checks';
import { TRAINING_SUPPORT } from '../../core/train/experiment-setup';
import { Precision, buildLoraTrainingGraph } from '../../core/train/lora-training-graph';
import { setupPeftLora } from '../../core/train/peft-lora-setup';
import { TrainStepSession } from '../../core/train/train-step-session';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { deviceOption, parseOptions, requireString, threadsOption } from '../parse-options';

export const gradCommand: CliCommand = {
  summary: 'compute the loss and adapter gradients of a PEFT adapter on one batch',
  usage:
    'thanora grad --model M.onnx --adapter DIR --batch B.json --out G.safetensors [--device auto|cuda|cpu] [--threads N] [--precision float32|float64]',
  async run(args) {
    const { values } = parseOptions(args, {
      model: { type: 'string' },
      adapter: { type: 'string' },
      batch: { type: 'string' },
      out: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      precision: { type: 'string' },
    });
    const precision = (values.precision ?? 'float32') as Precision;
    if (precision !== 'float32' && precision !== 'float64') throw new UsageError(`--precision must be float32 or float64`);
    const modelFile = requireString(values, 'model');
    const model = readModelFile(modelFile);
    checkModelSupport(model, modelFile, TRAINING_SUPPORT);
    const adapter = readPeftAdapter(requireString(values, 'adapter'));
    const batchFile = requireString(values, 'batch');
    const batch = readBatchFile(batchFile);
    const out = requireString(values, 'out');
    const setup = setupPeftLora(model, adapter);
    const onePosition = setup.head === 'causal_lm' ? singlePositionLogitsProblem(model) : undefined;
    if (onePosition) throw new Error(`${modelFile}: ${onePosition}`);
    const tokenVocab = inputIdsVocabulary(model);
    const tensors = { inputIds: { dims: [batch.batchSize, batch.seqLength], data: batch.inputIds }, labels: { dims: batch.labelsDims, data: batch.labels } };
    const check = (classes: number) => {
      try {
        if (setup.head === 'causal_lm') checkCausalLmBatch(tensors, { vocabSize: classes, tokenVocab });
        else checkSequenceClassificationBatch(tensors, { classCount: classes, tokenVocab });
      } catch (e) {
        throw new Error(`${batchFile}: ${(e as Error).message}`);
      }
    };
    // Building the graph runs the model on the batch (the shape probe): check the batch first, with the class
    // count the model declares, or without an upper bound on labels until the probe has measured it.
    const logits = declaredLogits(model)?.dims;
    const declaredClasses = logits?.[logits.length - 1];
    check(declaredClasses ?? Number.MAX_SAFE_INTEGER);
    const graph = await buildLoraTrainingGraph(model, { ...setup, precision }, batch);
    const logitsShape = graph.infos.get(graph.head.logits)?.shape ?? [];
    if (declaredClasses === undefined) check(logitsShape[logitsShape.length - 1]);
    const session = await TrainStepSession.open(graph, {
      device: deviceOption(values),
      threads: threadsOption(values),
      onNotice: (m) => console.error(m),
    });
    const result = await session.run(batch, setup.values);
    await session.release();
    const grads = new Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>();
    for (const a of graph.adapters) {
      grads.set(`${peftKeyPrefix}${a.aInput}`, { dtype: 'F32', shape: [...a.shapeA], data: result.grads.get(a.aInput)! });
      grads.set(`${peftKeyPrefix}${a.bInput}`, { dtype: 'F32', shape: [...a.shapeB], data: result.grads.get(a.bInput)! });
    }
    writeSafetensors(out, grads, { format: 'pt', loss: String(result.loss) });
    console.log(JSON.stringify({ loss: result.loss, tensors: grads.size, provider: session.provider, out }));
  },
};
