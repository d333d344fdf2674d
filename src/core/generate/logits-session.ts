// A forward-only session returning logits: the base model (or a merged one), optionally with LoRA adapters
// as graph inputs (the injected model). Used by evaluation and greedy generation.
import * as ort from 'onnxruntime-node';
import { Batch } from '../io/batch-file';
import { InjectedAdapter } from '../lora/inject-lora';
import { SavedParam } from '../lora/modules-to-save';
import { ModelProto } from '../onnx/types';
import { OpenedSession } from '../runtime/session';
import { batchFeeds } from '../train/batch-feeds';
import { savedFeeds } from '../train/lora-training-graph';
import { ModelSessionOptions, openModelSession } from '../runtime/model-session';
import { floatTensorValues } from '../runtime/ort-tensors';

export interface Logits {
  /** [b, s, V] for language models, [b, C] for classifiers. */
  dims: number[];
  data: Float32Array;
}

export class LogitsSession {
  private constructor(
    private readonly model: ModelProto,
    private readonly opened: OpenedSession,
    private readonly adapters: readonly InjectedAdapter[],
    private readonly logitsName: string,
    private readonly saved: readonly SavedParam[],
  ) {}

  /**
   * `model` is a plain model, or an injected one whose `adapters` (and lifted saved-module parameters, see
   * lift-saved-params.ts) are fed on every call.
   */
  static async open(model: ModelProto, adapters: readonly InjectedAdapter[] = [], options: ModelSessionOptions = {}, saved: readonly SavedParam[] = []): Promise<LogitsSession> {
    const outputs = model.graph.outputs;
    const logits = outputs.find((o) => o.name === 'logits') ?? outputs[0];
    if (!logits) throw new Error('the model has no output to read logits from');
    return new LogitsSession(model, await openModelSession(model, options), adapters, logits.name, saved);
  }

  async run(batch: Batch, adapterValues?: ReadonlyMap<string, Float32Array>): Promise<Logits> {
    const feeds = batchFeeds(this.model, batch);
    for (const a of this.adapters) {
      const aData = adapterValues?.get(a.aInput);
      const bData = adapterValues?.get(a.bInput);
      if (!aData || !bData) throw new Error(`no values for the adapter of module '${a.peftName}'`);
      feeds[a.aInput] = new ort.Tensor('float32', aData, a.shapeA);
      feeds[a.bInput] = new ort.Tensor('float32', bData, a.shapeB);
    }
    if (this.saved.length) Object.assign(feeds, savedFeeds(this.saved, adapterValues ?? new Map(), 'float32'));
    const out = (await this.opened.session.run(feeds, [this.logitsName]))[this.logitsName];
    return { dims: [...out.dims], data: floatTensorValues(out) };
  }

  get provider(): 'cuda' | 'cpu' {
    return this.opened.provider;
  }

  async release(): Promise<void> {
    await this.opened.session.release();
  }
}
