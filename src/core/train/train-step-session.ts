// One ONNX Runtime session over a LoRA training graph. Per step only the batch and the adapter tensors
// cross into the runtime; the frozen weights were handed over once, as initializers, when it opened.
import * as ort from 'onnxruntime-node';
import { Batch } from '../io/batch-file';
import { encodeModel } from '../onnx/model-codec';
import { OpenedSession, SessionOptions, openSession } from '../runtime/session';
import { batchFeeds, unfedInputs } from './batch-feeds';
import { LoraTrainingGraph } from './lora-training-graph';

export interface StepResult {
  /** Total loss (task loss plus weighted extra terms). */
  loss: number;
  /** The task loss alone (equals loss when there are no extra terms). */
  taskLoss: number;
  /** Per-task mean losses when the graph has task ids. */
  perTaskLoss?: number[];
  /** Raw values of the extra terms (e.g. SPR) by name. */
  terms: Map<string, number>;
  /** Adapter graph input -> gradient. */
  grads: Map<string, Float32Array>;
}

export class NonFiniteLossError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}

export class TrainStepSession {
  private constructor(
    readonly graph: LoraTrainingGraph,
    private readonly opened: OpenedSession,
  ) {}

  static async open(graph: LoraTrainingGraph, options: SessionOptions = {}): Promise<TrainStepSession> {
    return new TrainStepSession(graph, await openSession(encodeModel(graph.model), options));
  }

  get provider(): 'cuda' | 'cpu' {
    return this.opened.provider;
  }

  get fallbackReason(): string | undefined {
    return this.opened.fallbackReason;
  }

  /** Forward + backward on one batch with the given adapter values (graph input name -> data). */
  async run(batch: Batch, adapterValues: ReadonlyMap<string, Float32Array>): Promise<StepResult> {
    const g = this.graph;
    const feeds = batchFeeds(g.model, batch, g.head);
    for (const a of g.adapters) {
      for (const [name, dims] of [
        [a.aInput, a.shapeA],
        [a.bInput, a.shapeB],
      ] as const) {
        const data = adapterValues.get(name);
        if (!data) throw new Error(`no value for adapter tensor '${name}'`);
        if (data.length !== dims[0] * dims[1]) {
          throw new Error(`adapter tensor '${name}' has ${data.length} values; its shape [${dims}] needs ${dims[0] * dims[1]}`);
        }
        feeds[name] = new ort.Tensor('float32', data, [...dims]);
      }
    }
    const missing = unfedInputs(g.model, Object.keys(feeds));
    if (missing.length) throw new Error(`the model needs inputs the batch does not provide: ${missing.join(', ')}`);
    const out = await this.opened.session.run(feeds);
    const scalar = (name: string) => Number((out[name].data as Float32Array)[0]);
    const loss = scalar(g.lossOutput);
    if (!Number.isFinite(loss)) {
      throw new NonFiniteLossError(
        `the loss is ${loss} on this batch: check for labels that are all −100, a learning rate that is too high, or float16 overflow`,
      );
    }
    const grads = new Map<string, Float32Array>();
    for (const [input, output] of g.gradOutputs) grads.set(input, out[output].data as Float32Array);
    const terms = new Map<string, number>();
    for (const [name, output] of g.termOutputs) terms.set(name, scalar(output));
    return {
      loss,
      taskLoss: scalar(g.head.loss),
      perTaskLoss: g.head.taskLoss ? Array.from(out[g.head.taskLoss].data as Float32Array) : undefined,
      terms,
      grads,
    };
  }

  async release(): Promise<void> {
    await this.opened.session.release();
  }
}
