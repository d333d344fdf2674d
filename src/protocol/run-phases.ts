// Words for a run's preparation phases (PhaseEvent), shared by the dashboard and the host's progress notification.
import type { PhaseEvent } from './run-events';

const phaseNames: Record<PhaseEvent['phase'], string> = {
  data: 'checking the task data',
  preview: 'preview passes (activation covariances)',
  init: 'initialising the adapters (SVDs, rank allocation)',
  graph: 'building the training graph',
  sessions: 'opening the ONNX Runtime sessions',
  eval: 'evaluating before the first step',
  'first-step': 'first training step',
};

/** "preview passes (activation covariances)": the phase's name, without its count. */
export function phaseName(phase: PhaseEvent['phase']): string {
  return phaseNames[phase] ?? phase;
}

/** "preview passes (activation covariances) 2/5"; a phase without parts has no count. */
export function describePhase(e: Pick<PhaseEvent, 'phase' | 'done' | 'total'>): string {
  const name = phaseName(e.phase);
  return e.total > 1 ? `${name} ${e.done}/${e.total}` : name;
}
