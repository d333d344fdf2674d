// The allocation panel's webview is untrusted input: its messages are checked before the host acts on them.
import type { PlanPanelToHostMessage } from '../protocol/plan-messages';

/** Only the two known messages, with no other fields (the webview is untrusted input). */
export function parsePlanPanelMessage(raw: unknown): PlanPanelToHostMessage | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const message = raw as Record<string, unknown>;
  if (Object.keys(message).length !== 1) return undefined;
  return message.type === 'ready' || message.type === 'refresh' ? { type: message.type } : undefined;
}
