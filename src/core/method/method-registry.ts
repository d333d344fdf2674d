// The one table of methods. Whatever depends on the method a run uses reads it from here: experiment
// validation (and the schema test, which checks method.name's enum against it), method init and resume, SPR,
// the trainer's record, the checkpoint reader behind merge, the CLI and the run list of the dashboard.
// Adding a method: an entry here, its initializer in method-initializers.ts (the compiler asks for one per
// entry, of the kind `preview` says), and its name in schemas/thanora.schema.json (the schema test asks).
// Pure data without imports: src/protocol, and through it the dashboard, read it too.

export interface MethodSpec {
  /** How the method is written in prose (the dashboard's messages). */
  title: string;
  /** One line for help texts and the schema's description. */
  description: string;
  /**
   * Trains against the residual base W′ = W − s·B₀A₀ (the initial blocks subtracted, so W′ + s·B₀A₀ = W at step
   * 0), and checkpoints keep A₀, B₀ to rebuild W′; false: B₀ = 0 and training runs against W itself.
   */
  residual: boolean;
  /**
   * What the init reads from a preview pass over the first `method.previewSamples` train examples per task:
   * 'covariances' = each task's input covariance C_t of every module (forward only); 'gradients' = the task
   * loss's gradient ∂L/∂W of every target weight, averaged over the preview batches (forward and backward);
   * false = no preview, the init reads W alone.
   */
  preview: false | 'covariances' | 'gradients';
  /**
   * How the rank r is laid out (thanora/block-map.ts): 'tasks+cooperative' = one block per task plus a shared
   * cooperative block (HASI's split, SPR, subspace angles, the allocation record); otherwise one block of the
   * whole rank, of that kind.
   */
  blocks: 'tasks+cooperative' | 'principal' | 'cooperative';
}

export const METHODS = {
  thanora: {
    title: 'ThanoRA',
    description: 'heterogeneity-aware rank split over tasks (HASI) + subspace-preserving regularization (SPR)',
    residual: true,
    preview: 'covariances',
    blocks: 'tasks+cooperative',
  },
  lora: {
    title: 'LoRA',
    description: 'Kaiming-uniform A, B = 0',
    residual: false,
    preview: false,
    blocks: 'cooperative',
  },
  pissa: {
    title: 'PiSSA',
    description: 'top-r SVD of W',
    residual: true,
    preview: false,
    blocks: 'principal',
  },
  corda: {
    title: 'CorDA',
    description: 'top-r SVD of W·C, C pooled over all tasks',
    residual: true,
    preview: 'covariances',
    blocks: 'principal',
  },
  olora: {
    title: 'OLoRA',
    description: 'thin QR of W: B = Q_r, A = R_r (PEFT OLoRA)',
    residual: true,
    preview: false,
    blocks: 'principal',
  },
  lora_ga: {
    title: 'LoRA-GA',
    description: 'SVD of the loss gradient G = USVᵀ on the preview batches: A = ζ·V_{1..r}ᵀ, B = ζ·U_{r+1..2r} (LoRA-GA)',
    residual: true,
    preview: 'gradients',
    blocks: 'principal',
  },
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof METHODS;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(METHODS, value);
}

export function methodSpec(name: MethodName): MethodSpec {
  return METHODS[name];
}

/** Task blocks (and with them HASI's allocation options, SPR and the ablation labels) apply to this method. */
export function hasTaskBlocks(name: MethodName): boolean {
  return METHODS[name].blocks === 'tasks+cooperative';
}

/** "thanora, lora, pissa or corda" (`joiner` replaces " or "). */
export function methodNameList(joiner = ' or '): string {
  return METHOD_NAMES.slice(0, -1).join(', ') + joiner + METHOD_NAMES[METHOD_NAMES.length - 1];
}
