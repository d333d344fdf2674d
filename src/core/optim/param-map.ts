// Parameters and gradients are Float32Arrays keyed by name, given as a Map or a plain object.

export type ParamMap = ReadonlyMap<string, Float32Array> | Readonly<Record<string, Float32Array>>;

export function paramEntries(params: ParamMap): [string, Float32Array][] {
  return params instanceof Map ? [...params.entries()] : Object.entries(params as Record<string, Float32Array>);
}

export function paramLookup(params: ParamMap, name: string): Float32Array | undefined {
  return params instanceof Map ? params.get(name) : Object.prototype.hasOwnProperty.call(params, name) ? (params as Record<string, Float32Array>)[name] : undefined;
}
