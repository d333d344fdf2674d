// What a gradient rule sees: its forward node, tensor infos from the shape probe, and an emitter that
// appends nodes and constants to the backward graph under deterministic names (`<node>_Grad/<op>_<k>`).
import { AttrValue, makeNode } from '../onnx/attributes';
import { makeTensor } from '../onnx/tensor-data';
import { DataType, NodeProto, TensorProto, dataTypeName } from '../onnx/types';

export interface TensorInfo {
  dtype: DataType;
  /** Concrete dims seen in the probe run (dynamic dims take the probe batch's sizes). */
  shape: number[];
  /** Values of small integer tensors (≤ 64 elements) as seen in the probe run. */
  values?: number[];
}

export class GradientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GradientError';
  }
}

/** Collects the nodes and initializers of the backward graph. */
export class GraphEmitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private used = new Set<string>();
  private constants = new Map<string, string>();
  private shapes = new Map<string, string>();

  constructor(taken: Iterable<string>) {
    for (const n of taken) this.used.add(n);
  }

  uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  emit(
    prefix: string,
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue | undefined> = {},
    outputCount = 1,
    domain = '',
  ): string[] {
    const nodeName = this.uniqueName(`${prefix}/${opType}`);
    const outputs = Array.from({ length: outputCount }, (_, k) => this.uniqueName(`${nodeName}_out${k}`));
    this.nodes.push(makeNode(opType, inputs, outputs, nodeName, attrs, domain));
    return outputs;
  }

  /** Shape(x), one node per tensor however many rules ask (q/k/v share their input). */
  shapeOf(x: string): string {
    const hit = this.shapes.get(x);
    if (hit) return hit;
    const out = this.emit(`${x}_Grad/shape`, 'Shape', [x])[0];
    this.shapes.set(x, out);
    return out;
  }

  /** A shared constant initializer, deduplicated by value. */
  constant(dims: number[], dtype: DataType, values: ArrayLike<number>): string {
    const key = `${dtype}:${dims.join('x')}:${Array.from(values).join(',')}`;
    const hit = this.constants.get(key);
    if (hit) return hit;
    const name = this.uniqueName(`Grad/const_${dataTypeName(dtype).toLowerCase()}_${this.constants.size}`);
    this.initializers.push(makeTensor(name, dims, dtype, values));
    this.constants.set(key, name);
    return name;
  }
}

export class GradContext {
  constructor(
    readonly node: NodeProto,
    readonly opset: number,
    private readonly emitter: GraphEmitter,
    private readonly infos: ReadonlyMap<string, TensorInfo>,
    private readonly needs: readonly boolean[],
    private readonly constants: ReadonlyMap<string, number[]> = new Map(),
  ) {}

  /** Values of a small integer constant (initializer or Constant node output, e.g. axes or shapes) or of a float scalar constant. */
  constantValues(name: string): number[] | undefined {
    return this.constants.get(name);
  }

  /** Reduction/split axes given either as attribute `axes` (old opsets) or as input `inputIndex`. */
  axesOf(inputIndex: number, attrAxes: number[] | undefined, rank: number): number[] | undefined {
    const raw = attrAxes ?? (this.inputs[inputIndex] ? this.constantValues(this.inputs[inputIndex]) : undefined);
    if (raw === undefined && this.inputs[inputIndex]) {
      throw new GradientError(
        `node '${this.node.name}' (${this.node.opType}): its axes come from '${this.inputs[inputIndex]}', which is not a constant; ` +
          `export the model with constant axes (torch.onnx.export does this by default)`,
      );
    }
    return raw?.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  }

  get inputs(): string[] {
    return this.node.inputs;
  }

  get outputs(): string[] {
    return this.node.outputs;
  }

  /** True when input i (present) needs a gradient. */
  needsGrad(i: number): boolean {
    return !!this.needs[i];
  }

  info(name: string): TensorInfo {
    const i = this.infos.get(name);
    if (!i) throw new GradientError(`node '${this.node.name}' (${this.node.opType}): no shape/type known for tensor '${name}'`);
    return i;
  }

  rank(name: string): number {
    return this.info(name).shape.length;
  }

  dtype(name: string): DataType {
    return this.info(name).dtype;
  }

  private get prefix(): string {
    return `${this.node.name || this.node.opType}_Grad`;
  }

  /** Emits one node and returns its first output. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}): string {
    return this.emitter.emit(this.prefix, opType, inputs, attrs, 1)[0];
  }

  /** Emits one node with several outputs. */
  opMulti(opType: string, inputs: string[], outputCount: number, attrs: Record<string, AttrValue | undefined> = {}, domain = ''): string[] {
    return this.emitter.emit(this.prefix, opType, inputs, attrs, outputCount, domain);
  }

  /** 1-D int64 constant (axes, shapes, starts). */
  int64s(values: number[]): string {
    return this.emitter.constant([values.length], DataType.INT64, values);
  }

  /** Scalar constant with the float type of `like`. */
  scalarLike(value: number, like: string): string {
    return this.emitter.constant([], this.dtype(like), [value]);
  }

  /** Zeros with the shape and type of `like` (ConstantOfShape, so an inf or NaN in `like` cannot leak in). */
  zerosLike(like: string): string {
    const zero = makeTensor('value', [1], this.dtype(like), [0]);
    return this.op('ConstantOfShape', [this.shapeOf(like)], { value: zero });
  }

  /** 1-D int64 shape of a tensor. */
  shapeOf(name: string): string {
    return this.emitter.shapeOf(name);
  }

  /**
   * The gradient of a broadcast input: sum `grad` (shaped like `outShapeOf`, default this node's first
   * output) over the leading axes broadcasting added and over every axis where the input has size 1, then
   * reshape to the input's shape. Summing over an axis of size 1 on both sides is a no-op, so the rule is
   * exact as long as dynamic dims are not 1 in the probe batch (the probe guarantees that).
   */
  unbroadcast(grad: string, input: string, outShapeOf: string = this.node.outputs[0]): string {
    const inShape = this.info(input).shape;
    const outShape = this.info(outShapeOf).shape;
    const lead = outShape.length - inShape.length;
    const axes: number[] = [];
    for (let k = 0; k < outShape.length; k++) {
      if (k < lead || (inShape[k - lead] === 1 && outShape[k] !== 1)) axes.push(k);
    }
    if (!axes.length) return grad;
    // ReduceSum takes axes as an input from opset 13, as an attribute before.
    const summed =
      this.opset >= 13
        ? this.op('ReduceSum', [grad, this.int64s(axes)], { keepdims: 1 })
        : this.op('ReduceSum', [grad], { axes, keepdims: 1 });
    return this.op('Reshape', [summed, this.shapeOf(input)]);
  }

  /** Normalises a possibly negative axis against `rank`. */
  axis(axis: number, rank: number): number {
    return axis < 0 ? axis + rank : axis;
  }
}

/** A gradient rule: returns one gradient name per forward input (undefined where none is needed). */
export type GradRule = (ctx: GradContext, dY: (string | undefined)[]) => (string | undefined)[];
