// The webview is untrusted input: every message is checked field by field before the host acts on it, and
// run folders must be ones the host listed (a script in the webview cannot point the host at other paths).
import { chartIds, type ChartId } from '../protocol/dashboard-charts';
import type { WebviewToHostMessage } from '../protocol/webview-messages';
import { parsePlaygroundRequest } from './parse-playground-request';
import { runNotesLimits } from '../protocol/run-events';

const maxCompared = 16;
/** An exported chart: a canvas a few thousand pixels wide as PNG, or 100,000 points per series as CSV. */
export const maxExportChars = 64 * 2 ** 20;

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
    case 'deleteRun':
      return only('type', 'runDir') && isString(message.runDir) && knownRunDirs.has(message.runDir)
        ? { type: message.type, runDir: message.runDir }
        : undefined;
    case 'setRunNotes': {
      const { runDir, name, notes } = message;
      if (!only('type', 'runDir', 'name', 'notes') || !isString(runDir) || !knownRunDirs.has(runDir)) return undefined;
      if (typeof name !== 'string' || name.length > runNotesLimits.name || typeof notes !== 'string' || notes.length > runNotesLimits.notes) return undefined;
      return { type: 'setRunNotes', runDir, name, notes };
    }
    case 'exportChart': {
      const { runDir, chart, format, data } = message;
      if (!only('type', 'runDir', 'chart', 'format', 'data') || !isString(runDir) || !knownRunDirs.has(runDir)) return undefined;
      if (!chartIds.includes(chart as ChartId) || (format !== 'png' && format !== 'csv')) return undefined;
      if (typeof data !== 'string' || data.length === 0 || data.length > maxExportChars) return undefined;
      if (format === 'png' && !/^[A-Za-z0-9+/]+=*$/.test(data)) return undefined;
      return { type: 'exportChart', runDir, chart: chart as ChartId, format, data };
    }
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
