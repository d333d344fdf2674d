// Typed attribute access and construction for NodeProto.
import { decodeUtf8 } from './protobuf';
import { Attribute, AttributeType, NodeProto, TensorProto } from './types';

export type AttrValue = number | string | number[] | TensorProto | { floats: number[] } | { float: number };

/** Builds an attribute; integers become INT(S), use `{ float }`/`{ floats }` for float attributes. */
export function makeAttribute(name: string, value: AttrValue): Attribute {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.TENSOR, t: value };
}

export function findAttribute(node: NodeProto, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, fallback: number): number;
export function attrInt(node: NodeProto, name: string): number | undefined;
export function attrInt(node: NodeProto, name: string, fallback?: number): number | undefined {
  return findAttribute(node, name)?.i ?? fallback;
}

export function attrFloat(node: NodeProto, name: string, fallback: number): number;
export function attrFloat(node: NodeProto, name: string): number | undefined;
export function attrFloat(node: NodeProto, name: string, fallback?: number): number | undefined {
  return findAttribute(node, name)?.f ?? fallback;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  return findAttribute(node, name)?.ints;
}

export function attrFloats(node: NodeProto, name: string): number[] | undefined {
  return findAttribute(node, name)?.floats;
}

export function attrString(node: NodeProto, name: string, fallback: string): string;
export function attrString(node: NodeProto, name: string): string | undefined;
export function attrString(node: NodeProto, name: string, fallback?: string): string | undefined {
  const a = findAttribute(node, name);
  return a?.s ? decodeUtf8(a.s) : fallback;
}

export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return findAttribute(node, name)?.t;
}

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attrs: Record<string, AttrValue | undefined> = {},
  domain = '',
): NodeProto {
  const attributes = Object.entries(attrs)
    .filter((e): e is [string, AttrValue] => e[1] !== undefined)
    .map(([k, v]) => makeAttribute(k, v));
  return { name, opType, domain, inputs, outputs, attributes };
}
