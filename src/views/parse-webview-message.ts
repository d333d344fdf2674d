// The webview is untrusted input: every message is checked field by field before the host acts on it, and
// run folders must be ones the host listed (a script in the webview cannot point the host at other paths).
import type { WebviewToHostMessage } from '../protocol/webview-messages';
import { parsePlaygroundRequest } from './parse-playground-request';

const maxCompared = 16;

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length < 4096;
}

/** Returns the message, or undefined when it is malformed or names a run folder not in `knownRunDirs`. */
export function parseWebviewMessage(raw: unknown, knownRunDirs: ReadonlySet<string>): WebviewToHostMessage | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const message = raw as Record<string, unknown>;
  const keys = Object.keys(message);
  const only = (...allowed: string[]) => keys.every((k) => allowed.includes(k));
  switch (message.type) {
    case 'ready':
    case 'startTraining':
    case 'stopTraining':
    case 'newExperiment':
      return only('type') ? { type: message.type } : undefined;
    case 'mergeRun':
      return only('type', 'runDir') && isString(message.runDir) && knownRunDirs.has(message.runDir)
        ? { type: 'mergeRun', runDir: message.runDir }
        : undefined;
    case 'showRuns': {
      const compare = message.compareWith;
      if (!only('type', 'runDir', 'compareWith') || !isString(message.runDir) || !knownRunDirs.has(message.runDir)) return undefined;
      if (!Array.isArray(compare) || compare.length > maxCompared) return undefined;
      if (!compare.every((d) => isString(d) && knownRunDirs.has(d))) return undefined;
      return { type: 'showRuns', runDir: message.runDir, compareWith: compare as string[] };
    }
    case 'listPlaygroundModels':
      return only('type', 'runDir') && isString(message.runDir) && knownRunDirs.has(message.runDir) ? { type: 'listPlaygroundModels', runDir: message.runDir } : undefined;
    case 'generate': {
      const request = parsePlaygroundRequest(message.request, knownRunDirs);
      const id = message.requestId;
      return only('type', 'requestId', 'request') && request && typeof id === 'number' && Number.isSafeInteger(id) ? { type: 'generate', requestId: id, request } : undefined;
    }
    default:
      return undefined;
  }
}
