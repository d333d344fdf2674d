// ONNX Runtime sessions with execution-provider selection: `auto` tries CUDA and falls back to CPU,
// reporting why, because creating a CUDA session without its libraries throws.
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as path from 'path';

export type Device = 'auto' | 'cuda' | 'cpu';

export interface SessionOptions {
  device?: Device;
  /** Intra-op threads; 0 or undefined lets ONNX Runtime choose. */
  threads?: number;
  /** Called with a one-line note when `auto` falls back to CPU (once per session: callers opening several dedupe). */
  onNotice?: (message: string) => void;
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Folder the external data of a model given as bytes is read from (see model-session.ts). */
  externalDataFolder?: string;
  /** Profile the runs (until `endProfiling`) into `<prefix>_<time>.json`. */
  profileFilePrefix?: string;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: 'cuda' | 'cpu';
  /** Why `auto` runs on CPU, without advice (each front end gives its own). */
  fallbackReason?: string;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300);
}

/** Why CUDA cannot work before even trying (the provider library was not installed), or undefined. */
export function cudaUnavailableReason(): string | undefined {
  if (process.platform !== 'linux' && process.platform !== 'win32') return `no CUDA build of ONNX Runtime for ${process.platform}`;
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (!fs.existsSync(path.join(dir, lib))) return 'the CUDA provider of ONNX Runtime is not installed';
  return undefined;
}

/** How to get the GPU from the command line; the extension words its own advice (README › GPU). */
export const cudaSetupAdvice = 'to use the GPU, reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci and have CUDA 12 drivers (README › GPU)';

export async function openSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<OpenedSession> {
  const device = options.device ?? 'auto';
  const session: Record<string, string> = {
    // Pre-packing gives every kernel that reads a constant weight its own packed copy (the forward MatMul and
    // the backward Gemm of the same W: three copies in all) and reads mapped weights into anonymous memory.
    // Without it the weights stay mapped pages of their files; MLAS packs panels on the fly at ~1% of the step.
    disable_prepacking: '1',
  };
  if (options.externalDataFolder) session.model_external_initializers_file_folder_path = options.externalDataFolder;
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.optimization ?? 'all',
    logSeverityLevel: 3,
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    extra: { session },
    ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
  };
  const create = (providers: string[]) =>
    typeof model === 'string'
      ? ort.InferenceSession.create(model, { ...base, executionProviders: providers })
      : ort.InferenceSession.create(model, { ...base, executionProviders: providers });
  if (device === 'cpu') return { session: await create(['cpu']), provider: 'cpu' };
  const missing = cudaUnavailableReason();
  if (missing) {
    if (device === 'cuda') throw new Error(`device 'cuda' requested but ${missing}; ${cudaSetupAdvice}`);
    options.onNotice?.(`running on CPU: ${missing}; ${cudaSetupAdvice}`);
    return { session: await create(['cpu']), provider: 'cpu', fallbackReason: missing };
  }
  try {
    return { session: await create(['cuda', 'cpu']), provider: 'cuda' };
  } catch (e) {
    const reason = `the CUDA execution provider did not start (${firstLine(e)})`;
    if (device === 'cuda') throw new Error(`${reason}; ${cudaSetupAdvice}`);
    options.onNotice?.(`running on CPU: ${reason}; ${cudaSetupAdvice}`);
    return { session: await create(['cpu']), provider: 'cpu', fallbackReason: reason };
  }
}
