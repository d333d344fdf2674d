// A small builder for ONNX graphs written by hand: nodes are named like torch.onnx exports
// (`/model/layers.0/self_attn/q_proj/MatMul`, output `<node>_output_0`), so the LoRA resolver, the model
// report and the dashboard read a generated model exactly like an exported one.
import { AttrValue, makeNode } from '../onnx/attributes';
import { makeTensor } from '../onnx/tensor-data';
import { DataType, Dim, ModelProto, NodeProto, TensorProto, ValueInfo } from '../onnx/types';

export class GraphBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphBuildError';
  }
}

/** Opset 17: ReduceMean takes `axes` as an attribute, LayerNormalization exists, as in common LLaMA exports. */
export const BUILDER_OPSET = 17;

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly graphName: string) {}

  private claim(name: string, what: string): string {
    if (this.used.has(name)) throw new GraphBuildError(`graph '${this.graphName}': ${what} '${name}' is already defined; names must be unique`);
    this.used.add(name);
    return name;
  }

  /** A unique node name under `scope`: `/model/layers.0/mlp/Mul`, then `…/Mul_1`, `…/Mul_2`. */
  private nodeName(scope: string, opType: string): string {
    const base = `${scope}/${opType}`;
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    return name;
  }

  input(name: string, elemType: DataType, shape: (number | string)[]): string {
    this.claim(name, 'input');
    this.inputs.push({ name, elemType, shape: shape.map(toDim) });
    return name;
  }

  output(name: string, elemType: DataType, shape: (number | string)[]): void {
    this.outputs.push({ name, elemType, shape: shape.map(toDim) });
  }

  /** A named initializer (a weight or a table); returns its name. */
  initializer(name: string, dims: number[], dataType: DataType, values: ArrayLike<number>): string {
    this.claim(name, 'initializer');
    this.initializers.push(makeTensor(name, dims, dataType, values));
    return name;
  }

  /** An initializer built elsewhere (e.g. with its bytes in an external file); returns its name. */
  tensor(t: TensorProto): string {
    this.claim(t.name, 'initializer');
    this.initializers.push(t);
    return t.name;
  }

  /** An anonymous constant under `scope` (axes, shapes, scalars), named like `/model/Constant_3_output_0`. */
  constant(scope: string, dims: number[], dataType: DataType, values: ArrayLike<number>): string {
    const name = this.claim(`${this.nodeName(scope, 'Constant')}_output_0`, 'constant');
    // The node name is reserved too, so the next constant of the scope gets the next suffix.
    this.used.add(name.slice(0, -'_output_0'.length));
    this.initializers.push(makeTensor(name, dims, dataType, values));
    return name;
  }

  int64s(scope: string, values: number[]): string {
    return this.constant(scope, [values.length], DataType.INT64, values);
  }

  /**
   * One node under `scope` with `outputCount` outputs; returns the output names. `output` overrides the
   * name of the first output (for graph outputs such as `logits`).
   */
  ops(scope: string, opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outputCount = 1, output?: string): string[] {
    const name = this.claim(this.nodeName(scope, opType), 'node');
    const outs = Array.from({ length: outputCount }, (_, k) => (k === 0 && output ? this.claim(output, 'output') : this.claim(`${name}_output_${k}`, 'output')));
    for (const i of inputs) {
      if (i && !this.used.has(i)) throw new GraphBuildError(`graph '${this.graphName}': node '${name}' reads '${i}', which no input, initializer or earlier node defines`);
    }
    this.nodes.push(makeNode(opType, inputs, outs, name, attrs));
    return outs;
  }

  op(scope: string, opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, output?: string): string {
    return this.ops(scope, opType, inputs, attrs, 1, output)[0];
  }

  build(docString?: string): ModelProto {
    if (this.outputs.length === 0) throw new GraphBuildError(`graph '${this.graphName}' has no outputs`);
    for (const o of this.outputs) {
      if (!this.used.has(o.name)) throw new GraphBuildError(`graph '${this.graphName}': output '${o.name}' is never computed`);
    }
    return {
      irVersion: 8,
      opsetImports: [{ domain: '', version: BUILDER_OPSET }],
      producerName: 'thanora-studio modelgen',
      producerVersion: '1',
      docString,
      graph: {
        name: this.graphName,
        nodes: [...this.nodes],
        initializers: [...this.initializers],
        inputs: [...this.inputs],
        outputs: [...this.outputs],
        valueInfo: [],
      },
      metadata: [],
    };
  }
}

function toDim(d: number | string): Dim {
  return typeof d === 'number' ? { value: d } : { param: d };
}
