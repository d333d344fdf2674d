// The PyTorch module a node was exported from, as torch.onnx's dynamo exporter records it in the node's
// metadata_props. Its node names (`node_linear_3`) and folded weights (`val_57`) say nothing, but
//   pkg.torch.onnx.name_scopes   = "['', 'model', 'model.layers.0', …, 'model.layers.0.self_attn.q_proj', 'linear']"
//   namespace                    = ": LlamaForCausalLM/model: LlamaModel/…/model.layers.0.self_attn.q_proj: …Linear/linear: aten.linear.default"
// both end with the module path followed by the op's own FX name. That path is PEFT's module name.
import { NodeProto } from '../onnx/types';

const nameScopesKey = 'pkg.torch.onnx.name_scopes';
const namespaceKey = 'namespace';

function metadataValue(node: NodeProto, key: string): string | undefined {
  return node.metadata?.find((e) => e.key === key)?.value;
}

/** A Python list-of-strings repr (`['', 'model', 'lm_head']`) as strings; undefined when it is not one. */
function parsePythonStringList(text: string): string[] | undefined {
  const body = text.trim();
  if (!body.startsWith('[') || !body.endsWith(']')) return undefined;
  const items = [...body.slice(1, -1).matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]);
  return items;
}

/** The scope names of `namespace`: each `/`-separated part is `<scope>: <class>`. */
function namespaceScopes(text: string): string[] {
  return text.split('/').map((part) => part.slice(0, Math.max(0, part.lastIndexOf(': '))).trim());
}

/**
 * The module path of the module whose forward emitted this node (`model.layers.0.self_attn.q_proj`), or
 * undefined when the exporter left no scope (TorchScript exports, hand-made graphs) or the node sits at the
 * top level.
 */
export function torchModuleScope(node: NodeProto): string | undefined {
  const listed = metadataValue(node, nameScopesKey);
  const nsText = metadataValue(node, namespaceKey);
  const scopes = listed !== undefined ? parsePythonStringList(listed) : nsText !== undefined ? namespaceScopes(nsText) : undefined;
  // The last scope is the op's FX node (`linear_3`); the one before it is the module.
  if (!scopes || scopes.length < 2) return undefined;
  const module = scopes[scopes.length - 2];
  return module.length > 0 ? module : undefined;
}
