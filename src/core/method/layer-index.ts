// The transformer layer a module belongs to, read from its PEFT name: `model.layers.3.self_attn.q_proj` → 3,
// `transformer.h.11.attn.c_attn` → 11, `bert.encoder.layer.2.attention.self.query` → 2. −1 when the name
// carries no layer index (an output head, a pooler), matching RunStartEvent.layers in run-events.ts.
const layerContainers = ['layers', 'layer', 'h', 'blocks', 'block', 'decoder.layers', 'encoder.layers'];
const layerPattern = new RegExp(`(?:^|\\.)(?:${layerContainers.map((c) => c.replace('.', '\\.')).join('|')})\\.(\\d+)(?:\\.|$)`);

export function layerIndexOf(peftName: string): number {
  const match = layerPattern.exec(peftName);
  return match ? Number(match[1]) : -1;
}

/** The module's name within its layer: `model.layers.3.self_attn.q_proj` → `self_attn.q_proj` (the heatmaps' column). */
export function moduleKind(peftName: string, layer: number): string {
  if (layer < 0) return peftName;
  const marker = `.${layer}.`;
  const at = peftName.indexOf(marker);
  return at < 0 ? peftName : peftName.slice(at + marker.length);
}
