// PEFT module names (`model.layers.0.self_attn.q_proj`) for linear nodes of an exported graph, and the
// adapter tensor names derived from them. PEFT keys adapters as `base_model.model.<peftName>.lora_A.weight`;
// the graph inputs use `<peftName>.lora_A.weight` so the safetensors writer only adds the prefix.
import { NodeProto } from '../onnx/types';
import { isAnonymousName } from './graph-index';
import { torchModuleScope } from './torch-scope';

export const peftKeyPrefix = 'base_model.model.';

export function loraInputNames(peftName: string): { aInput: string; bInput: string } {
  return { aInput: `${peftName}.lora_A.weight`, bInput: `${peftName}.lora_B.weight` };
}

/** The module path of a node name: `/layers.0/self_attn/q_proj/MatMul` → `layers.0.self_attn.q_proj`. */
export function nodeModulePath(nodeName: string): string | undefined {
  if (!nodeName.startsWith('/')) return undefined;
  const parts = nodeName.split('/').filter((p) => p.length > 0);
  // The last component names the op (`MatMul`, `Gemm_1`), not a module.
  const modules = parts.slice(0, -1);
  return modules.length > 0 ? modules.join('.') : undefined;
}

/**
 * The root that torch.onnx drops from node names (`/layers.0/...` for `model.layers.0...`), recovered
 * from a parameter name that shares the leading components: `model.layers.0.input_layernorm.weight`
 * shares `layers.0.` ⇒ root `model.`. At least two shared components are required (one when the path
 * has only one), so a lone `dense` does not pick an arbitrary root. '' when the path already starts at
 * the root or nothing matches.
 */
export function recoverRoot(modulePath: string, namedConstants: readonly string[]): string {
  const parts = modulePath.split('.');
  const minShared = Math.min(2, parts.length);
  let best = { shared: 0, root: '' };
  for (const name of namedConstants) {
    for (let k = parts.length; k >= minShared && k > best.shared; k--) {
      const needle = `${parts.slice(0, k).join('.')}.`;
      const inside = name.indexOf(`.${needle}`);
      if (!name.startsWith(needle) && inside < 0) continue;
      best = { shared: k, root: name.startsWith(needle) ? '' : name.slice(0, inside + 1) };
      break;
    }
  }
  return best.root;
}

export interface PeftNameEvidence {
  node: NodeProto;
  /** Names the weight is reached through (op input, Transpose/Identity inputs, the initializer). */
  weightNames: readonly string[];
  /** The constant added to the output right after the op (`...q_proj.bias`), when there is one. */
  biasName?: string;
  /** Constants read by more than one linear module (exporters merge equal tensors, e.g. zero biases, into one
   *  initializer): such a name belongs to none of them. */
  sharedConstants: ReadonlySet<string>;
  namedConstants: readonly string[];
}

/**
 * Best PEFT name for a linear node, from the most to the least reliable evidence: the module scope the
 * dynamo exporter recorded on the node (its names and folded weights are anonymous), a named weight
 * (`...q_proj.weight`, unfolded exports), a named bias (`...q_proj.bias`, folded exports keep bias names
 * while the weight becomes `onnx::MatMul_416`), the node's module path plus the recovered root, and
 * last the node name itself. A constant shared with another linear module names neither.
 */
export function derivePeftName(e: PeftNameEvidence): string {
  const scope = torchModuleScope(e.node);
  if (scope) return scope;
  const ownName = (n: string) => !isAnonymousName(n) && !e.sharedConstants.has(n);
  const namedWeight = e.weightNames.find((n) => n.endsWith('.weight') && ownName(n));
  if (namedWeight) return namedWeight.slice(0, -'.weight'.length);
  if (e.biasName && e.biasName.endsWith('.bias') && ownName(e.biasName)) {
    return e.biasName.slice(0, -'.bias'.length);
  }
  const path = nodeModulePath(e.node.name);
  if (path) return recoverRoot(path, e.namedConstants) + path;
  return e.node.name.replace(/[^A-Za-z0-9_.]+/g, '.').replace(/^\.+|\.+$/g, '') || e.node.outputs[0];
}
