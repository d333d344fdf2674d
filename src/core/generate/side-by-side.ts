// The playground's one request: the same prompt, encoded once, completed by the base model and by the tuned one
// (a checkpoint of the run, or its merged model) with the same decoding and seed. The models run one after the
// other, each session released before the next opens, so memory holds one model at a time.
import { performance } from 'perf_hooks';
import { ModelSessionOptions } from '../runtime/model-session';
import { generateTokens } from './generate-tokens';
import type { PlaygroundCompletion, PlaygroundRequest, PlaygroundResult } from '../../protocol/playground';
import { OpenedModel, openPlainModel, openTunedModel, parseTunedChoice, runTokenizer } from './playground-models';
import { decodeCompletion, encodePrompt } from './prompt-ids';

/** `tuned` is parsed with parseTunedChoice ('merged', 'best', 'last', 'step-N', N). */
export type SideBySideRequest = PlaygroundRequest;
export type Completion = PlaygroundCompletion;
export type SideBySideResult = PlaygroundResult;

export async function generateSideBySide(request: SideBySideRequest, sessionOptions: ModelSessionOptions = {}): Promise<SideBySideResult> {
  // Each session would tell the same device notice again: say it once.
  const told = new Set<string>();
  const notice = (m: string) => {
    if (!told.has(m)) sessionOptions.onNotice?.(m);
    told.add(m);
  };
  const options = { ...sessionOptions, onNotice: notice };
  const tokenizer = runTokenizer(request.runDir);
  const prompt = encodePrompt(tokenizer, request.prompt, request.useChatTemplate ?? true);
  const complete = async (opened: OpenedModel): Promise<Completion> => {
    try {
      const t0 = performance.now();
      const [ids] = await generateTokens(opened.session, [prompt.ids], { maxNewTokens: request.maxNewTokens, eosId: tokenizer.special.eos, padId: tokenizer.special.pad, decoding: request.decoding }, opened.values);
      return { label: opened.label, path: opened.path, ids, ...decodeCompletion(tokenizer, ids), ms: performance.now() - t0 };
    } finally {
      await opened.session.release();
    }
  };
  const tunedModel = await openTunedModel(request.runDir, request.tuned === undefined ? undefined : parseTunedChoice(request.tuned), options);
  const tuned = await complete(tunedModel);
  const base = await complete(await openPlainModel(tunedModel.baseModelFile, 'base model', options));
  return { runDir: request.runDir, promptText: prompt.text, promptTokens: prompt.ids.length, chatTemplate: prompt.chatTemplate, base, tuned };
}
