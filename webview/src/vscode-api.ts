// The webview's handle on the host: typed postMessage and the state VS Code keeps while the view is hidden.
import type { WebviewToHostMessage } from '../../src/protocol/webview-messages';

export interface DashboardState {
  runDir?: string;
  compareWith: string[];
  /** EMA weight of the smoothed charts (TensorBoard's slider). */
  smoothing: number;
  logScale: boolean;
  /** The step charts' x axis: steps or wall time. */
  xAxis: 'step' | 'time';
}

export const defaultSmoothing = 0.6;

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewToHostMessage): void {
  api.postMessage(message);
}

export function loadState(): DashboardState {
  const state = api.getState() as Partial<DashboardState> | undefined;
  return {
    runDir: typeof state?.runDir === 'string' ? state.runDir : undefined,
    compareWith: Array.isArray(state?.compareWith) ? state.compareWith.filter((d): d is string => typeof d === 'string') : [],
    smoothing: typeof state?.smoothing === 'number' && state.smoothing >= 0 && state.smoothing < 1 ? state.smoothing : defaultSmoothing,
    logScale: state?.logScale === true,
    xAxis: state?.xAxis === 'time' ? 'time' : 'step',
  };
}

export function saveState(state: DashboardState): void {
  api.setState(state);
}
