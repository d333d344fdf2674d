// HASI's preview and context SVDs for `thanora plan`, with the trainer's own code (method/preview-covariances,
// thanora/hasi analyseModule, the same preview batches and groups), and a cache (run-folder/preview-cache.ts)
// at two levels: the spectra (H_t per module and task: all the allocation needs) and, below them, the
// covariances C_t (so that a change of ε or K redoes only the SVDs). A module whose spectra are cached costs
// nothing; one whose covariances are cached costs its SVDs; the rest are previewed, group by group.
import { Batch } from '../io/batch-file';
import { indexGraph } from '../lora/graph-index';
import { ResolvedModule } from '../lora/linear-modules';
import { Matrix } from '../linalg/matrix';
import { hasiOptionsOf, previewGroups } from '../method/method-request';
import { exactSvdMaxDim } from '../method/module-inits';
import { moduleWeight } from '../method/module-weights';
import { ortMatmul } from '../method/ort-matmul';
import { previewCovariances } from '../method/preview-covariances';
import { ModuleSpectra, PreviewCache } from '../run-folder/preview-cache';
import { analyseModule } from '../thanora/hasi';
import { ExperimentSetup } from '../train/experiment-setup';
import type { PreviewCacheReport } from '../../protocol/plan-messages';
import { CovarianceKeyInputs, PREVIEW_CACHE_VERSION, SpectraKeyInputs, digestOf, modelIdentity, previewBatchesDigest } from './preview-cache-keys';

/** Covariances are stored when all targeted modules' C_t (T·d_in² float64 each) take at most this. */
export const defaultCovarianceCacheBytes = 256 * 2 ** 20;

export interface PreviewSpectraRequest {
  setup: ExperimentSetup;
  /** The trainer's preview batches per task (method-state.ts previewBatches). */
  preview: Batch[][];
  /** No cache: everything is computed and nothing written. */
  cache?: PreviewCache;
  covarianceCacheBytes?: number;
  onProgress?: (line: string) => void;
}

export interface PreviewSpectra {
  spectra: Map<string, ModuleSpectra>;
  /** Counted preview tokens per task. */
  tokenCounts: number[];
  cache: PreviewCacheReport;
  /** Wall time of the preview passes and of the SVDs (ms). */
  previewMs: number;
  svdMs: number;
}

export function covarianceKeyInputs(setup: ExperimentSetup, preview: readonly (readonly Batch[])[]): CovarianceKeyInputs {
  return {
    version: PREVIEW_CACHE_VERSION,
    model: modelIdentity(setup.config.baseModel, setup.model),
    previewBatches: previewBatchesDigest(preview),
    // The trainer counts the default positions (preview-batches.ts); plan previews exactly those.
    previewTokens: 'labelled',
    device: setup.config.device,
  };
}

export function spectraKeyInputs(setup: ExperimentSetup, covarianceKey: string): SpectraKeyInputs {
  const { method } = setup.config;
  return { version: PREVIEW_CACHE_VERSION, covariances: covarianceKey, epsilon: method.epsilon, entropyRank: method.entropyRank, entropyOver: method.entropyOver, exactSvdMaxDim };
}

const covarianceBytes = (modules: readonly ResolvedModule[], taskCount: number) => modules.reduce((s, m) => s + taskCount * m.dIn * m.dIn * 8, 0);

export async function previewSpectra(request: PreviewSpectraRequest): Promise<PreviewSpectra> {
  const { setup, preview, cache } = request;
  const { config, modules, model } = setup;
  const taskCount = config.tasks.length;
  const covKey = digestOf(covarianceKeyInputs(setup, preview));
  const svdKey = digestOf(spectraKeyInputs(setup, covKey));
  const cached = cache?.readSpectra(covKey, svdKey) ?? {};
  let tokenCounts = cache?.readTokenCounts(covKey);
  const spectra = new Map<string, ModuleSpectra>();
  const missing: ResolvedModule[] = [];
  for (const m of modules) {
    const s = cached[m.peftName];
    if (tokenCounts && s?.entropies.length === taskCount) spectra.set(m.peftName, s);
    else missing.push(m);
  }
  const budget = request.covarianceCacheBytes ?? defaultCovarianceCacheBytes;
  const storeCovariances = covarianceBytes(modules, taskCount) <= budget;
  const report: PreviewCacheReport = {
    dir: cache?.dir,
    spectra: { hits: spectra.size, misses: missing.length },
    covariances: { hits: 0, misses: 0 },
    covariancesNotStored: storeCovariances
      ? undefined
      : `the covariances of ${modules.length} modules take ${(covarianceBytes(modules, taskCount) / 2 ** 30).toFixed(1)} GiB (over ${(budget / 2 ** 20).toFixed(0)} MiB); only the spectra are cached`,
  };
  let previewMs = 0;
  let svdMs = 0;
  if (missing.length > 0) {
    cache?.describeEntry(covKey, covarianceKeyInputs(setup, preview));
    const index = indexGraph(model.graph);
    const matmul = ortMatmul({ device: config.device, threads: config.threads || undefined });
    const options = { ...hasiOptionsOf(config.method, config.training.seed, matmul.matmul), exactSvdMaxDim };
    const computed: Record<string, ModuleSpectra> = {};
    try {
      for (const group of previewGroups(missing, taskCount)) {
        const covariances = new Map<string, Matrix[]>();
        if (tokenCounts) {
          for (const m of group) {
            const c = cache?.readCovariances(covKey, m.peftName, taskCount, m.dIn);
            if (c) covariances.set(m.peftName, c);
          }
        }
        const toPreview = group.filter((m) => !covariances.has(m.peftName));
        report.covariances.hits += covariances.size;
        report.covariances.misses += toPreview.length;
        if (toPreview.length > 0) {
          request.onProgress?.(`preview covariances: ${toPreview.length} modules (${toPreview[0].peftName} …)`);
          const started = Date.now();
          const fresh = await previewCovariances(model, toPreview, preview, {
            device: config.device,
            threads: config.threads || undefined,
            samples: config.method.previewSamples,
          });
          previewMs += Date.now() - started;
          tokenCounts = fresh.tokenCounts;
          cache?.writeTokenCounts(covKey, tokenCounts);
          for (const m of toPreview) {
            const c = fresh.covariances.get(m.peftName)!;
            covariances.set(m.peftName, c);
            if (storeCovariances) cache?.writeCovariances(covKey, m.peftName, c);
          }
        }
        const started = Date.now();
        for (const m of group) {
          request.onProgress?.(`context SVDs: ${m.peftName}`);
          const input = { name: m.peftName, weight: moduleWeight(index, m), covariances: covariances.get(m.peftName)!, rank: config.lora.r, alpha: config.lora.alpha };
          const contexts = await analyseModule(input, options);
          const s = { entropies: contexts.map((c) => c.entropy), dampingEpsilons: contexts.map((c) => c.epsilon) };
          spectra.set(m.peftName, s);
          computed[m.peftName] = s;
        }
        svdMs += Date.now() - started;
        // Written per group, so an interrupted plan keeps what it finished.
        cache?.addSpectra(covKey, svdKey, computed);
      }
    } finally {
      await matmul.release();
    }
  }
  return { spectra, tokenCounts: tokenCounts!, cache: report, previewMs, svdMs };
}
