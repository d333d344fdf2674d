// Each method's initializer, one per entry of method-registry.ts, of the kind its `preview` flag says: a
// method without a preview initializes each module from its weight alone; a 'covariances' method gets a preview
// pass's modules with their task covariances C_t; a 'gradients' method gets each module with the mean loss
// gradient ∂L/∂W over the preview batches. The mapped type makes a missing or mismatched entry a
// compile error, so no method can fall through to another's init.
import { MethodConfig } from '../experiment/experiment-config';
import { Matrix } from '../linalg/matrix';
import { MatmulFn } from '../linalg/randomized-svd';
import { ResolvedModule } from '../lora/linear-modules';
import { layerIndexOf } from './layer-index';
import { METHODS } from './method-registry';
import { groupByLayer, hasiOptionsOf } from './method-request';
import { ModuleInit, cordaModule, loraGaModule, loraModule, oloraModule, pissaModule, thanoraModules } from './module-inits';

export interface InitContext {
  lora: { r: number; alpha: number };
  method: MethodConfig;
  seed: number;
  matmul: MatmulFn;
  onProgress?: (message: string) => void;
}

/** Initializes one module; `weight()` reads W (d_out×d_in) when the method needs it. */
export interface WeightInitializer {
  preview: false;
  init(module: ResolvedModule, weight: () => Matrix, ctx: InitContext): Promise<ModuleInit>;
}

export interface PreviewModule {
  module: ResolvedModule;
  weight: () => Matrix;
  /** C_t per task, d_in×d_in. */
  covariances: Matrix[];
}

export interface PreviewContext extends InitContext {
  tokenCounts: readonly number[];
  /** Takes each module's init as soon as it is made, so its weight and SVDs can be let go. */
  record(module: ResolvedModule, init: ModuleInit): void;
}

/** Initializes the modules of one preview pass (whole layers). */
export interface PreviewInitializer {
  preview: 'covariances';
  init(group: readonly PreviewModule[], ctx: PreviewContext): Promise<void>;
}

/** Initializes one module from G = mean over the preview batches of ∂L/∂W (d_out×d_in). */
export interface GradientInitializer {
  preview: 'gradients';
  init(module: ResolvedModule, gradient: Matrix, ctx: InitContext): Promise<ModuleInit>;
}

type InitializerOf<P> = P extends 'covariances' ? PreviewInitializer : P extends 'gradients' ? GradientInitializer : WeightInitializer;
type Initializers = { [K in keyof typeof METHODS]: InitializerOf<(typeof METHODS)[K]['preview']> };

const entropyRankOf = (method: MethodConfig) => (method.entropyRank === 'auto' ? undefined : method.entropyRank);

export const METHOD_INITIALIZERS: Initializers = {
  lora: {
    preview: false,
    init: async (m, _weight, { lora, seed }) => loraModule(m.peftName, m.dIn, m.dOut, lora.r, lora.alpha, seed),
  },
  pissa: {
    preview: false,
    init: (m, weight, { lora, seed, matmul }) => pissaModule(m.peftName, weight(), lora.r, lora.alpha, seed, matmul),
  },
  olora: {
    preview: false,
    init: async (m, weight, { lora }) => oloraModule(m.peftName, weight(), lora.r, lora.alpha),
  },
  lora_ga: {
    preview: 'gradients',
    init: (m, gradient, { lora, seed, matmul }) => loraGaModule(m.peftName, gradient, lora.r, lora.alpha, seed, matmul),
  },
  corda: {
    preview: 'covariances',
    async init(group, { lora, method, matmul, tokenCounts, record }) {
      const options = { epsilon: method.epsilon, entropyRank: entropyRankOf(method), tokenCounts, matmul };
      for (const p of group) record(p.module, await cordaModule(p.module.peftName, p.weight(), p.covariances, lora.r, lora.alpha, options));
    },
  },
  thanora: {
    preview: 'covariances',
    async init(group, { lora, method, seed, matmul, onProgress, record }) {
      const hasi = hasiOptionsOf(method, seed, matmul);
      // One HASI call per allocation unit keeps only that unit's context SVDs in memory.
      const byModule = new Map(group.map((p) => [p.module, p]));
      const modules = group.map((p) => p.module);
      const units = method.allocation === 'layer' ? groupByLayer(modules) : modules.map((m) => [m]);
      for (const unit of units) {
        onProgress?.(`HASI: ${unit.map((m) => m.peftName).join(', ')}`);
        const inputs = unit.map((m) => {
          const p = byModule.get(m)!;
          return { name: m.peftName, layer: String(layerIndexOf(m.peftName)), weight: p.weight(), covariances: p.covariances, rank: lora.r, alpha: lora.alpha };
        });
        (await thanoraModules(inputs, hasi)).forEach((init, k) => record(unit[k], init));
      }
    },
  },
};
