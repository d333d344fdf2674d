// One ONNX Runtime session over a LoRA training graph. Per step only the batch and the adapter tensors
// cross into the runtime; the frozen weights were handed over once, as initializers, when it opened.
import { Batch } from '../io/batch-file';
import { OpenedSession, SessionOptions } from '../runtime/session';
import { batchFeeds, unfedInputs } from './batch-feeds';
import { LoraTrainingGraph, adapterTensor, savedFeeds } from './lora-training-graph';
import { explainNonFiniteLoss } from './non-finite-loss';
import { ModelSessionOptions, openModelSession } from '../runtime/model-session';

export interface StepResult {
  /** Total loss (task loss plus weighted extra terms). */
  loss: number;
  /** The task loss alone (equals loss when there are no extra terms). */
  taskLoss: number;
  /** Per-task mean losses when the graph has task ids. */
  perTaskLoss?: number[];
  /** Raw values of the extra terms (e.g. SPR) by name. */
  terms: Map<string, number>;
  /** Adapter (and saved-module parameter) graph input -> gradient. */
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

  static async open(graph: LoraTrainingGraph, options: ModelSessionOptions = {}): Promise<TrainStepSession> {
    // Fused kernels compute float64 graphs partly in float32; 'basic' keeps every op as exported.
    const optimization = options.optimization ?? (graph.precision === 'float64' ? 'basic' : 'all');
    return new TrainStepSession(graph, await openModelSession(graph.model, { ...options, optimization }));
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
        feeds[name] = adapterTensor(data, dims, g.precision);
      }
    }
    Object.assign(feeds, savedFeeds(g.saved, adapterValues, g.precision));
    const missing = unfedInputs(g.model, Object.keys(feeds));
    if (missing.length) throw new Error(`the model needs inputs the batch does not provide: ${missing.join(', ')}`);
    const out = await this.opened.session.run(feeds);
    const scalar = (name: string) => Number((out[name].data as Float32Array | Float64Array)[0]);
    const floats = (name: string) => {
      const data = out[name].data as Float32Array | Float64Array;
      return data instanceof Float32Array ? data : Float32Array.from(data);
    };
    const loss = scalar(g.lossOutput);
    if (!Number.isFinite(loss)) {
      throw new NonFiniteLossError(`the loss is ${loss} on this batch: ${explainNonFiniteLoss(g.model, adapterValues, g.precision)}`);
    }
    const grads = new Map<string, Float32Array>();
    for (const [input, output] of g.gradOutputs) grads.set(input, floats(output));
    const terms = new Map<string, number>();
    for (const [name, output] of g.termOutputs) terms.set(name, scalar(output));
    return {
      loss,
      taskLoss: scalar(g.head.loss),
      perTaskLoss: g.head.taskLoss ? Array.from(floats(g.head.taskLoss)) : undefined,
      terms,
      grads,
    };
  }

  /** Stops profiling (sessions opened with profileFilePrefix) and writes the profile file. */
  endProfiling(): void {
    this.opened.session.endProfiling();
  }

  async release(): Promise<void> {
    await this.opened.session.release();
  }
}
