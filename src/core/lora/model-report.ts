// What `thanora doctor` knows about a model: its interface, its ops, the linear modules LoRA can target,
// the parameter budget of the chosen targets, and whether every op between the adapters and the output
// has a gradient rule (a missing rule would stop training at the first backward pass).
import { gradientRules, noGradientOps } from '../autodiff/rules';
import { elementCount, isFloatType } from '../onnx/tensor-data';
import { ModelProto, NodeProto, ValueInfo, dataTypeName } from '../onnx/types';
import { gradientPathNodes } from './gradient-path';
import { indexGraph } from './graph-index';
import { injectLora } from './inject-lora';
import { ResolvedModule, findLinearModules } from './linear-modules';
import { ResolveOptions, TargetSpec, resolveTargets } from './resolve-targets';

export interface ValueSummary {
  name: string;
  dtype: string;
  /** Numbers for fixed dims, names for symbolic ones, '?' for unknown; undefined when the rank is unknown. */
  shape?: (number | string)[];
}

export interface TargetSummary extends ResolvedModule {
  dtypeName: string;
  rank: number;
  /** d_in·d_out */
  baseParams: number;
  /** r·(d_in + d_out) */
  loraParams: number;
}

export type GradientStatus = 'rule' | 'no-gradient' | 'missing';

export interface GradientOpSummary {
  op: string;
  count: number;
  status: GradientStatus;
  /** One node of this op on the path, to find it in a viewer. */
  exampleNode: string;
}

export interface ModelReport {
  producer: string;
  irVersion: number;
  opsets: { domain: string; version: number }[];
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  nodeCount: number;
  opHistogram: { op: string; count: number }[];
  /** Float parameters held in initializers. */
  parameterCount: number;
  initializerCount: number;
  linearModules: { count: number; shortNames: { name: string; count: number }[] };
  targets?: { modules: TargetSummary[]; baseParams: number; loraParams: number };
  gradientPath?: { nodeCount: number; ops: GradientOpSummary[]; missing: string[] };
}

export interface DescribeOptions extends ResolveOptions {
  /** Rank used for the LoRA parameter counts: one for all, or per PEFT name (default 8). */
  rank?: number | Readonly<Record<string, number>>;
}

function summarizeValue(v: ValueInfo): ValueSummary {
  return {
    name: v.name,
    dtype: v.elemType === undefined ? 'non-tensor' : dataTypeName(v.elemType),
    shape: v.shape?.map((d) => d.value ?? d.param ?? '?'),
  };
}

function countBy<T>(items: readonly T[], key: (t: T) => string): { name: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

function isResolvedList(targets: TargetSpec | readonly ResolvedModule[]): targets is readonly ResolvedModule[] {
  return Array.isArray(targets) && targets.length > 0 && typeof targets[0] === 'object';
}

function exampleName(node: NodeProto | undefined): string {
  return node ? node.name || `(unnamed, output '${node.outputs[0]}')` : '';
}

function gradientStatus(op: string): GradientStatus {
  if (gradientRules.has(op)) return 'rule';
  return noGradientOps.has(op) ? 'no-gradient' : 'missing';
}

export function describeModel(model: ModelProto, targets?: TargetSpec | readonly ResolvedModule[], options: DescribeOptions = {}): ModelReport {
  const g = model.graph;
  const floatInits = g.initializers.filter((t) => isFloatType(t.dataType));
  const linear = findLinearModules(indexGraph(g));
  const report: ModelReport = {
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') || 'unknown',
    irVersion: model.irVersion,
    opsets: model.opsetImports.map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    inputs: g.inputs.filter((v) => !g.initializers.some((t) => t.name === v.name)).map(summarizeValue),
    outputs: g.outputs.map(summarizeValue),
    nodeCount: g.nodes.length,
    opHistogram: countBy(g.nodes, (n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType)).map(({ name, count }) => ({ op: name, count })),
    parameterCount: floatInits.reduce((sum, t) => sum + elementCount(t.dims), 0),
    initializerCount: g.initializers.length,
    linearModules: { count: linear.length, shortNames: countBy(linear, (m) => m.peftName.split('.').pop() ?? m.peftName) },
  };
  if (targets === undefined) return report;

  const modules = isResolvedList(targets) ? [...targets] : resolveTargets(model, targets as TargetSpec, options);
  const rank = options.rank ?? 8;
  // Rank 1 is enough to trace the graph; the counts below use the requested rank.
  const { model: injected, adapters } = injectLora(model, modules, { rank: 1, alpha: 1 });
  const summaries = modules.map((m): TargetSummary => {
    const r = typeof rank === 'number' ? rank : rank[m.peftName];
    if (r === undefined) throw new Error(`describeModel: no rank given for target module '${m.peftName}'; add it to options.rank`);
    return { ...m, dtypeName: dataTypeName(m.dtype), rank: r, baseParams: m.dIn * m.dOut, loraParams: r * (m.dIn + m.dOut) };
  });
  report.targets = {
    modules: summaries,
    baseParams: summaries.reduce((s, m) => s + m.baseParams, 0),
    loraParams: summaries.reduce((s, m) => s + m.loraParams, 0),
  };
  const pathNodes = gradientPathNodes(injected.graph, adapters.flatMap((a) => [a.aInput, a.bInput]));
  const ops = countBy(pathNodes, (n) => n.opType).map(({ name, count }): GradientOpSummary => ({
    op: name,
    count,
    status: gradientStatus(name),
    exampleNode: exampleName(pathNodes.find((n) => n.opType === name)),
  }));
  report.gradientPath = { nodeCount: pathNodes.length, ops, missing: ops.filter((o) => o.status === 'missing').map((o) => o.op) };
  return report;
}
