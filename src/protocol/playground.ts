// The playground's values, shared by the core (src/core/generate), the worker, the host and the dashboard: how
// to decode, which model of a run to prompt, and what came back.

export type Decoding =
  | { kind: 'greedy' }
  /** temperature ≥ 0 (0 = greedy); topP in (0, 1] (1 = the whole vocabulary); seed in [0, 2^32). */
  | { kind: 'sample'; temperature: number; topP: number; seed: number };

/** A model of a run to prompt: 'merged', 'best', 'last' or 'step-N', and its name for the user. */
export interface PlaygroundModel {
  choice: string;
  label: string;
}

export interface PlaygroundCompletion {
  /** "base model", "checkpoint step 800", "merged model (best by …)". */
  label: string;
  /** The model file, or the checkpoint folder. */
  path: string;
  text: string;
  ids: number[];
  stoppedAtEos: boolean;
  ms: number;
}

export interface PlaygroundResult {
  runDir: string;
  /** The text the models continue (the chat template applied, when it was). */
  promptText: string;
  promptTokens: number;
  chatTemplate: boolean;
  base: PlaygroundCompletion;
  tuned: PlaygroundCompletion;
}

/** One prompt, completed by the base model and by `tuned` (default: the best checkpoint, else the last). */
export interface PlaygroundRequest {
  runDir: string;
  tuned?: string;
  prompt: string;
  /** Default true: the tokenizer's chat template when it has one. */
  useChatTemplate?: boolean;
  decoding: Decoding;
  maxNewTokens: number;
}

/** The most new tokens one playground request may ask for. */
export const MAX_PLAYGROUND_TOKENS = 1024;
