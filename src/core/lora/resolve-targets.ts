// Which linear modules get a LoRA adapter. A target spec is PEFT's `target_modules` (a list of strings or
// 'all-linear') or an explicit module map (PEFT name → node and initializer, as in adapter_config.json).
import { ModelProto } from '../onnx/types';
import { indexGraph } from './graph-index';
import { LinearModule, ResolvedModule, findLinearModules, toResolvedModule } from './linear-modules';
import { nodeModulePath } from './peft-names';

export interface ModuleMapEntry {
  initializer: string;
  node: string;
  op?: string;
  stored?: string;
}

export type ModuleMap = Readonly<Record<string, ModuleMapEntry>>;

export type TargetSpec = 'all-linear' | readonly string[] | ModuleMap;

export interface ResolveOptions {
  /** 'all-linear' skips the output head (lm_head, classifier, the layer producing a graph output) unless set. */
  includeOutputHead?: boolean;
  /** Accept target strings that match nothing, as long as some target matches (default: error). */
  allowUnmatched?: boolean;
}

export class TargetResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetResolutionError';
  }
}

type ModuleMatcher = (m: LinearModule) => boolean;

const regexLiteral = /^\/(.+)\/([dgimsuy]*)$/;

function suffixMatch(path: string | undefined, target: string): boolean {
  return !!path && (path === target || path.endsWith(`.${target}`));
}

/**
 * One target string as a predicate over modules:
 * - 'all-linear': every linear module except the output head;
 * - `re:<regex>` or `/<regex>/flags`: regex search on the PEFT name (anchor with ^…$ for a full match);
 * - `/a/b/MatMul`: node name, equal or a path suffix either way (`/model/layers.0/…` finds `/layers.0/…`);
 * - a weight name (`model.layers.0.self_attn.q_proj.weight`, `onnx::MatMul_416`);
 * - otherwise a module name matched like PEFT, as the trailing path component(s) of the PEFT name, of the
 *   node's module path or of the weight's module path (`q_proj`, `self_attn.q_proj`).
 */
function targetMatcher(target: string, options: ResolveOptions): ModuleMatcher {
  if (target === 'all-linear') return (m) => options.includeOutputHead === true || !m.isOutputHead;
  const literal = regexLiteral.exec(target);
  if (target.startsWith('re:') || literal) {
    let re: RegExp;
    try {
      re = literal ? new RegExp(literal[1], literal[2]) : new RegExp(target.slice(3));
    } catch (e) {
      throw new TargetResolutionError(`target '${target}' is not a valid regular expression: ${(e as Error).message}`);
    }
    return (m) => {
      re.lastIndex = 0;
      return re.test(m.peftName);
    };
  }
  if (target.startsWith('/')) {
    return (m) =>
      m.node === target ||
      (m.node.startsWith('/') && m.node.endsWith(target)) ||
      (nodeModulePath(m.node) !== undefined && target.endsWith(m.node));
  }
  return (m) =>
    m.weightNames.includes(target) ||
    suffixMatch(m.peftName, target) ||
    suffixMatch(nodeModulePath(m.node), target) ||
    m.weightNames.some((n) => n.endsWith('.weight') && suffixMatch(n.slice(0, -'.weight'.length), target));
}

function describeCandidates(modules: readonly LinearModule[], count = 8): string {
  if (modules.length === 0) return 'the model has no MatMul/Gemm with a constant 2-D float weight';
  const shown = modules.slice(0, count).map((m) => `${m.peftName} (node '${m.node}', weight '${m.initializer}')`);
  const more = modules.length > count ? `, … ${modules.length - count} more` : '';
  return `linear modules found: ${shown.join(', ')}${more}`;
}

function resolveFromStrings(modules: LinearModule[], targets: readonly string[], options: ResolveOptions): LinearModule[] {
  if (targets.length === 0) throw new TargetResolutionError('target_modules is empty; list module names such as "q_proj", or use "all-linear"');
  const matchers = targets.map((t) => ({ target: t, match: targetMatcher(t, options), hits: 0 }));
  const chosen = modules.filter((m) => {
    let hit = false;
    for (const matcher of matchers) {
      if (matcher.match(m)) {
        matcher.hits++;
        hit = true;
      }
    }
    return hit;
  });
  const unmatched = matchers.filter((m) => m.hits === 0).map((m) => `'${m.target}'`);
  if (chosen.length === 0 || (unmatched.length > 0 && !options.allowUnmatched)) {
    throw new TargetResolutionError(
      `target_modules [${targets.map((t) => `'${t}'`).join(', ')}]: ${unmatched.join(', ')} matched no linear module; ` +
        `${describeCandidates(modules)}. Use short names (q_proj), node names (/layers.0/self_attn/q_proj/MatMul), ` +
        `weight names, 're:<regex>' on PEFT names, or 'all-linear'.`,
    );
  }
  return chosen;
}

function resolveFromMap(modules: LinearModule[], map: ModuleMap): LinearModule[] {
  const byNode = new Map(modules.filter((m) => m.node).map((m) => [m.node, m]));
  return Object.entries(map).map(([peftName, entry]) => {
    const where = `module_map['${peftName}']`;
    const m = byNode.get(entry.node);
    if (!m) {
      throw new TargetResolutionError(
        `${where}: node '${entry.node}' is not a MatMul/Gemm with a constant weight in this model; ${describeCandidates(modules)}. Re-export the module map for this model.`,
      );
    }
    if (m.initializer !== entry.initializer && !m.weightNames.includes(entry.initializer)) {
      throw new TargetResolutionError(
        `${where}: node '${entry.node}' reads weight '${m.initializer}', not '${entry.initializer}'. The map was made for another export of the model.`,
      );
    }
    if (entry.op !== undefined && entry.op !== m.op) {
      throw new TargetResolutionError(`${where}: node '${entry.node}' is a ${m.op}, the map says ${entry.op}.`);
    }
    if (entry.stored !== undefined && entry.stored !== m.stored) {
      throw new TargetResolutionError(
        `${where}: weight '${m.initializer}' is used as ${m.stored} ([${m.stored === 'in_out' ? 'in,out' : 'out,in'}]), the map says ${entry.stored}.`,
      );
    }
    return { ...m, peftName };
  });
}

function isModuleMap(spec: TargetSpec): spec is ModuleMap {
  return typeof spec === 'object' && !Array.isArray(spec);
}

/** The linear modules named by `spec`, in graph order for target lists and in map order for a module map. */
export function resolveTargets(model: ModelProto, spec: TargetSpec, options: ResolveOptions = {}): ResolvedModule[] {
  const modules = findLinearModules(indexGraph(model.graph));
  const chosen = isModuleMap(spec)
    ? resolveFromMap(modules, spec)
    : resolveFromStrings(modules, typeof spec === 'string' ? [spec] : (spec as readonly string[]), options);
  const seen = new Map<string, string>();
  for (const m of chosen) {
    const other = seen.get(m.peftName);
    if (other !== undefined) {
      throw new TargetResolutionError(
        `modules at nodes '${other}' and '${m.node}' both resolve to PEFT name '${m.peftName}' (a shared weight or anonymous names); pass an explicit module map to name them.`,
      );
    }
    seen.set(m.peftName, m.node);
  }
  return chosen.map(toResolvedModule);
}
