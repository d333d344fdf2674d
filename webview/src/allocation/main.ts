// Allocation panel entry: posts `ready`, then shows what the host sends (planning, the plan, a failure).
import type { HostToPlanPanelMessage, PlanPanelToHostMessage } from '../../../src/protocol/plan-messages';
import { estimateLines, heatmaps, subtitleOf, totalsTable } from './render-plan';

declare function acquireVsCodeApi(): { postMessage(message: PlanPanelToHostMessage): void };

const api = acquireVsCodeApi();
const element = (id: string) => document.getElementById(id)!;

function show(message: HostToPlanPanelMessage): void {
  const status = element('plan-status');
  const error = element('plan-error');
  if (message.type === 'planning') {
    status.textContent = `Previewing ${message.experiment}: ${message.message}…`;
    error.textContent = '';
    return;
  }
  if (message.type === 'planFailed') {
    status.textContent = '';
    error.textContent = `Cannot preview ${message.experiment}: ${message.error}`;
    return;
  }
  const plan = message.plan;
  status.textContent = '';
  error.textContent = '';
  element('plan-title').textContent = `Rank allocation: ${plan.experiment}`;
  element('plan-subtitle').textContent = subtitleOf(plan);
  element('totals').replaceChildren(totalsTable(plan));
  element('heatmaps').replaceChildren(heatmaps(plan));
  element('estimate').replaceChildren(estimateLines(plan));
}

window.addEventListener('message', (event: MessageEvent<HostToPlanPanelMessage>) => show(event.data));
element('refresh-button').addEventListener('click', () => api.postMessage({ type: 'refresh' }));
api.postMessage({ type: 'ready' });
