// Sessions over in-memory models of any size. A graph under ~2 GiB is handed to ONNX Runtime as one
// protobuf buffer; past that protobuf cannot hold it, so it is written with its weights as external data to
// a temp folder and opened from the path (the folder is removed once the session has loaded it).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeModel } from '../onnx/model-codec';
import { writeModelFile } from '../onnx/model-file';
import { ModelProto } from '../onnx/types';
import { OpenedSession, SessionOptions, openSession } from './session';

/** Tensor bytes above which a model goes through a temp file with external data (protobuf's limit is 2 GiB). */
export const INLINE_MODEL_LIMIT = 1.75 * 2 ** 30;

export interface ModelSessionOptions extends SessionOptions {
  /** Override of INLINE_MODEL_LIMIT (tests use 0 to exercise the external-data path on small models). */
  inlineLimit?: number;
}

function tensorBytes(model: ModelProto): number {
  return model.graph.initializers.reduce((sum, t) => sum + (t.raw?.length ?? 0), 0);
}

export async function openModelSession(model: ModelProto, options: ModelSessionOptions = {}): Promise<OpenedSession> {
  const { inlineLimit = INLINE_MODEL_LIMIT, ...sessionOptions } = options;
  if (tensorBytes(model) <= inlineLimit) return openSession(encodeModel(model), sessionOptions);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-session-'));
  try {
    const file = path.join(dir, 'model.onnx');
    writeModelFile(file, model, { externalData: 'always' });
    return await openSession(file, sessionOptions);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
