// Sessions over in-memory models of any size, without copying the weights. External tensors (a model read
// from disk keeps its weights in its data files) stay where they are: the graph goes to ONNX Runtime as one
// protobuf buffer and the runtime maps the data files from the model's folder
// (`session.model_external_initializers_file_folder_path`), so the weights are in memory once, as pages of
// those files. Only when the tensors held in memory pass protobuf's 2 GiB limit, or the external tensors
// live in several folders, is the model written to a temp folder with its data and opened from there.
// float16/bfloat16 models are opened computing in float32 (widen-half-precision.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { externalDataDirs, inlineTensorBytes } from '../onnx/external-data';
import { encodeModel } from '../onnx/model-codec';
import { writeModelFile } from '../onnx/model-file';
import { ModelProto } from '../onnx/types';
import { widenHalfPrecision } from '../onnx/widen-half-precision';
import { OpenedSession, SessionOptions, openSession } from './session';

/** In-memory tensor bytes above which a model goes through a temp file (protobuf's limit is 2 GiB). */
export const INLINE_MODEL_LIMIT = 1.75 * 2 ** 30;

export interface ModelSessionOptions extends SessionOptions {
  /** Override of INLINE_MODEL_LIMIT (tests use 0 to exercise the temp-file path on small models). */
  inlineLimit?: number;
}

export async function openModelSession(original: ModelProto, options: ModelSessionOptions = {}): Promise<OpenedSession> {
  const { inlineLimit = INLINE_MODEL_LIMIT, ...sessionOptions } = options;
  // The CPU provider has few half-precision kernels: half models compute in float32 (widen-half-precision.ts).
  const model = widenHalfPrecision(original);
  const dirs = externalDataDirs(model);
  if (inlineTensorBytes(model) <= inlineLimit && dirs.size <= 1) {
    return openSession(encodeModel(model), { ...sessionOptions, externalDataFolder: [...dirs][0] });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-session-'));
  try {
    const file = path.join(dir, 'model.onnx');
    writeModelFile(file, model, { externalData: 'always' });
    return await openSession(file, sessionOptions);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
