// Plain-text rendering of a ModelReport for `thanora doctor` (fixed-width, no colour: it also goes to logs).
import { ModelReport, ValueSummary } from './model-report';

const n = (v: number) => v.toLocaleString('en-US');

function valueLine(v: ValueSummary): string {
  return `  ${v.name}  ${v.dtype} ${v.shape ? `[${v.shape.join(', ')}]` : '[rank unknown]'}`;
}

const statusText = { rule: 'gradient rule', 'no-gradient': 'no gradient (declared)', missing: 'MISSING gradient rule' } as const;

export function formatModelReport(r: ModelReport): string {
  const lines: string[] = [];
  lines.push(`Model: ${r.producer}, IR ${r.irVersion}, opsets ${r.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}`);
  lines.push('Inputs:', ...r.inputs.map(valueLine));
  lines.push('Outputs:', ...r.outputs.map(valueLine));
  lines.push(`Nodes: ${n(r.nodeCount)} (${r.opHistogram.map((h) => `${h.op} ${h.count}`).join(', ')})`);
  lines.push(`Parameters: ${n(r.parameterCount)} float values in ${r.initializerCount} initializers`);
  lines.push(
    `Linear modules: ${r.linearModules.count}` +
      (r.linearModules.count > 0 ? ` (${r.linearModules.shortNames.map((s) => `${s.name} ×${s.count}`).join(', ')})` : ''),
  );
  if (r.targets) {
    const { modules, baseParams, loraParams } = r.targets;
    const share = r.parameterCount > 0 ? ` = ${((100 * loraParams) / r.parameterCount).toFixed(2)}% of the model` : '';
    lines.push(`Targets: ${modules.length} modules, base ${n(baseParams)} params, LoRA ${n(loraParams)} params${share}`);
    const width = Math.max(...modules.map((m) => m.peftName.length));
    for (const m of modules) {
      lines.push(
        `  ${m.peftName.padEnd(width)}  ${m.op} '${m.node}'  [${m.dIn} → ${m.dOut}] ${m.stored} ${m.dtypeName}  r=${m.rank}  base ${n(m.baseParams)}  LoRA ${n(m.loraParams)}`,
      );
    }
  }
  if (r.gradientPath) {
    const { nodeCount, ops, missing } = r.gradientPath;
    lines.push(`Gradient path (adapters → outputs): ${nodeCount} nodes, ${ops.length} op types`);
    const width = Math.max(...ops.map((o) => o.op.length));
    for (const o of ops) lines.push(`  ${o.op.padEnd(width)}  ×${String(o.count).padEnd(4)} ${statusText[o.status]}  (e.g. '${o.exampleNode}')`);
    lines.push(missing.length === 0 ? 'All ops on the gradient path have a rule.' : `Missing gradient rules: ${missing.join(', ')}; training cannot run until they exist.`);
  }
  return lines.join('\n');
}
