// The playground's request from the webview, checked field by field (the webview is untrusted input): a run the
// host listed, a model choice the core knows, a prompt of bounded size, decoding settings in their ranges.
import { MAX_PLAYGROUND_TOKENS, type Decoding, type PlaygroundRequest } from '../protocol/playground';

const maxPromptLength = 100_000;
const modelChoice = /^(merged|best|last|step-\d{1,9})$/;

const has = (value: Record<string, unknown>, ...allowed: string[]) => Object.keys(value).every((k) => allowed.includes(k));
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseDecoding(raw: unknown): Decoding | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.kind === 'greedy') return has(raw, 'kind') ? { kind: 'greedy' } : undefined;
  if (raw.kind !== 'sample' || !has(raw, 'kind', 'temperature', 'topP', 'seed')) return undefined;
  const { temperature, topP, seed } = raw;
  if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 100)) return undefined;
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) return undefined;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return undefined;
  return { kind: 'sample', temperature, topP, seed };
}

export function parsePlaygroundRequest(raw: unknown, knownRunDirs: ReadonlySet<string>): PlaygroundRequest | undefined {
  if (!isObject(raw) || !has(raw, 'runDir', 'tuned', 'prompt', 'useChatTemplate', 'decoding', 'maxNewTokens')) return undefined;
  const { runDir, tuned, prompt, useChatTemplate, maxNewTokens } = raw;
  if (typeof runDir !== 'string' || !knownRunDirs.has(runDir)) return undefined;
  if (tuned !== undefined && (typeof tuned !== 'string' || !modelChoice.test(tuned))) return undefined;
  if (typeof prompt !== 'string' || prompt.length === 0 || prompt.length > maxPromptLength) return undefined;
  if (typeof useChatTemplate !== 'boolean') return undefined;
  if (typeof maxNewTokens !== 'number' || !Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > MAX_PLAYGROUND_TOKENS) return undefined;
  const decoding = parseDecoding(raw.decoding);
  if (!decoding) return undefined;
  return { runDir, ...(tuned !== undefined ? { tuned } : {}), prompt, useChatTemplate, decoding, maxNewTokens };
}
