// `thanora generate`: a prompt completed by a run's tuned model (a checkpoint with its adapter injected, or the
// merged model) side by side with its base model, through the run's tokenizer and chat template; or by one
// ONNX model alone (--model). Greedy by default; --sample draws with temperature and top-p from a seed.
import { loadTokenizer } from '../../core/data/tokenizer';
import { generateTokens } from '../../core/generate/generate-tokens';
import type { Decoding } from '../../core/generate/next-token';
import { openPlainModel, parseTunedChoice, resolvePlaygroundRun } from '../../core/generate/playground-models';
import { decodeCompletion, encodePrompt } from '../../core/generate/prompt-ids';
import { generateSideBySide, type Completion } from '../../core/generate/side-by-side';
import { CheckpointError } from '../../core/run-folder';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { deviceOption, intOption, parseOptions, requireString, threadsOption } from '../parse-options';

function numberOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return n;
}

function decodingOption(values: Record<string, unknown>): Decoding {
  if (!values.sample) {
    const stray = ['temperature', 'top-p', 'seed'].filter((k) => values[k] !== undefined);
    if (stray.length) throw new UsageError(`${stray.map((k) => `--${k}`).join(', ')} ${stray.length === 1 ? 'applies' : 'apply'} only with --sample (greedy decoding has no randomness)`);
    return { kind: 'greedy' };
  }
  const temperature = numberOption(values, 'temperature', 1);
  const topP = numberOption(values, 'top-p', 1);
  if (temperature < 0) throw new UsageError(`--temperature must be ≥ 0 (0 = greedy), got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new UsageError(`--top-p must be in (0, 1], got ${topP}`);
  return { kind: 'sample', temperature, topP, seed: intOption(values, 'seed', 1, 0) };
}

function printCompletion(c: Pick<Completion, 'label' | 'path' | 'text' | 'ids' | 'stoppedAtEos' | 'ms'>): void {
  const end = c.stoppedAtEos ? 'stopped at EOS' : 'hit --max-new-tokens';
  console.log(`── ${c.label} (${c.path}; ${c.ids.length} tokens, ${end}, ${Math.round(c.ms)} ms)`);
  console.log(c.text);
}

export const generateCommand: CliCommand = {
  summary: 'complete a prompt with a run\'s checkpoint or merged model, side by side with its base model',
  usage:
    'thanora generate <thanora.json | run-dir> --prompt TEXT [--checkpoint best|last|N|merged] [--sample [--temperature 1] [--top-p 1] [--seed 1]] [--max-new-tokens 64] [--no-chat-template] [--json] [--device auto|cuda|cpu] [--threads N]\n' +
    '       thanora generate --model M.onnx --prompt TEXT [--tokenizer bytes|tokenizer.json] [same decoding options]',
  async run(args) {
    const { values, positionals } = parseOptions(args, {
      model: { type: 'string' },
      prompt: { type: 'string' },
      tokenizer: { type: 'string' },
      checkpoint: { type: 'string' },
      sample: { type: 'boolean' },
      temperature: { type: 'string' },
      'top-p': { type: 'string' },
      seed: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      'no-chat-template': { type: 'boolean' },
      json: { type: 'boolean' },
      device: { type: 'string' },
      threads: { type: 'string' },
    });
    const prompt = requireString(values, 'prompt');
    const decoding = decodingOption(values);
    const maxNewTokens = intOption(values, 'max-new-tokens', 64);
    const useChatTemplate = !values['no-chat-template'];
    const sessionOptions = { device: deviceOption(values), threads: threadsOption(values), onNotice: (m: string) => console.error(m) };
    if (values.model !== undefined) {
      if (positionals.length || values.checkpoint !== undefined) throw new UsageError('--model runs one ONNX model alone; give either --model or a thanora.json / run folder (with --checkpoint)');
      const setting = (values.tokenizer as string | undefined) ?? 'bytes';
      const tokenizer = loadTokenizer(setting === 'bytes' ? { kind: 'bytes' } : { kind: 'huggingface', path: setting });
      const modelFile = requireString(values, 'model');
      const opened = await openPlainModel(modelFile, modelFile, sessionOptions);
      try {
        const encoded = encodePrompt(tokenizer, prompt, useChatTemplate);
        const [ids] = await generateTokens(opened.session, [encoded.ids], { maxNewTokens, eosId: tokenizer.special.eos, padId: tokenizer.special.pad, decoding });
        console.log(decodeCompletion(tokenizer, ids).text);
      } finally {
        await opened.session.release();
      }
      return;
    }
    if (positionals.length !== 1) throw new UsageError(`expected one thanora.json or run folder (or --model M.onnx), got ${positionals.length}${positionals.length ? `: ${positionals.join(' ')}` : ''}`);
    if (values.tokenizer !== undefined) throw new UsageError('--tokenizer applies to --model; a run uses the tokenizer it was trained with');
    let tuned;
    try {
      tuned = values.checkpoint === undefined ? undefined : parseTunedChoice(values.checkpoint as string);
    } catch (e) {
      throw e instanceof CheckpointError ? new UsageError(`--checkpoint: ${e.message}`) : e;
    }
    const runDir = resolvePlaygroundRun(positionals[0]);
    const result = await generateSideBySide({ runDir, tuned, prompt, useChatTemplate, decoding, maxNewTokens }, sessionOptions);
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    console.log(`run: ${result.runDir}`);
    console.log(`prompt (${result.promptTokens} tokens${result.chatTemplate ? ', chat template' : ''}): ${JSON.stringify(result.promptText)}`);
    printCompletion(result.base);
    printCompletion(result.tuned);
  },
};
