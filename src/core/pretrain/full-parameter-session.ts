// One ONNX Runtime session over a full-parameter graph. Per step the batch and every weight cross into
// the runtime (the weights change every step, so they are inputs, not initializers).
import { Batch } from '../io/batch-file';
import { OpenedSession, SessionOptions } from '../runtime/session';
import { batchFeeds, unfedInputs } from '../train/batch-feeds';
import { FullParameterGraph, weightTensor } from './full-parameter-graph';
import { openModelSession } from '../runtime/model-session';

export interface FullParameterStep {
  loss: number;
  /** Weight name -> gradient (empty for a loss-only graph). */
  grads: Map<string, Float32Array>;
}

export class FullParameterSession {
  private constructor(
    readonly graph: FullParameterGraph,
    private readonly opened: OpenedSession,
  ) {}

  static async open(graph: FullParameterGraph, options: SessionOptions = {}): Promise<FullParameterSession> {
    // Fused kernels compute float64 graphs partly in float32; 'basic' keeps every op as built.
    const optimization = options.optimization ?? (graph.precision === 'float64' ? 'basic' : 'all');
    return new FullParameterSession(graph, await openModelSession(graph.model, { ...options, optimization }));
  }

  async run(batch: Batch, weights: ReadonlyMap<string, Float32Array | Float64Array>): Promise<FullParameterStep> {
    const g = this.graph;
    const feeds = batchFeeds(g.model, batch, g.head);
    for (const w of g.weights) {
      const values = weights.get(w.name);
      if (!values) throw new Error(`FullParameterSession.run: no value for weight '${w.name}'`);
      if (values.length !== w.values.length) {
        throw new Error(`FullParameterSession.run: weight '${w.name}' has ${values.length} values; its shape [${w.dims}] needs ${w.values.length}`);
      }
      feeds[w.name] = weightTensor(values, w.dims, g.precision);
    }
    const missing = unfedInputs(g.model, Object.keys(feeds));
    if (missing.length) throw new Error(`FullParameterSession.run: the graph needs inputs the batch does not provide: ${missing.join(', ')}`);
    const out = await this.opened.session.run(feeds);
    const loss = Number((out[g.head.loss].data as Float32Array | Float64Array)[0]);
    const grads = new Map<string, Float32Array>();
    for (const [weight, output] of g.gradOutputs) {
      const data = out[output].data as Float32Array | Float64Array;
      grads.set(weight, data instanceof Float32Array ? data : Float32Array.from(data));
    }
    return { loss, grads };
  }

  async release(): Promise<void> {
    await this.opened.session.release();
  }
}
