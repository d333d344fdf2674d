// `thanora generate`: greedy completion of a prompt by an ONNX model alone (e.g. a merged model), encoded
// exactly as training encodes prompts.
import { loadTokenizer } from '../../core/data/tokenizer';
import { greedyGenerate } from '../../core/generate/greedy-generate';
import { LogitsSession } from '../../core/generate/logits-session';
import { readModelFile } from '../../core/onnx/model-file';
import { checkModelSupport } from '../../core/onnx/runtime-support';
import { declaredLogits } from '../../core/onnx/token-vocabulary';
import type { CliCommand } from '../main';
import { deviceOption, intOption, parseOptions, requireString, threadsOption } from '../parse-options';

export const generateCommand: CliCommand = {
  summary: 'complete a prompt greedily with an ONNX model (e.g. merged/model.onnx)',
  usage: 'thanora generate --model M.onnx --prompt TEXT [--tokenizer bytes|tokenizer.json] [--max-new-tokens 64] [--device auto|cuda|cpu]',
  async run(args) {
    const { values } = parseOptions(args, {
      model: { type: 'string' },
      prompt: { type: 'string' },
      tokenizer: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
    });
    const setting = (values.tokenizer as string | undefined) ?? 'bytes';
    const tokenizer = loadTokenizer(setting === 'bytes' ? { kind: 'bytes' } : { kind: 'huggingface', path: setting });
    const modelFile = requireString(values, 'model');
    const model = readModelFile(modelFile);
    checkModelSupport(model, modelFile);
    const logits = declaredLogits(model);
    if (logits?.dims && logits.dims.length !== 3) {
      throw new Error(`${modelFile}: output '${logits.name}' has shape ${logits.shapeText}, not [batch, sequence, vocabulary]: it is not a causal language model (a classifier has [batch, classes]), so it cannot generate text`);
    }
    const session = await LogitsSession.open(model, [], {
      device: deviceOption(values),
      threads: threadsOption(values),
      onNotice: (m) => console.error(m),
    });
    try {
      const prompt = requireString(values, 'prompt');
      const [ids] = await greedyGenerate(session, [tokenizer.encode(prompt, true)], {
        maxNewTokens: intOption(values, 'max-new-tokens', 64),
        eosId: tokenizer.special.eos,
        padId: tokenizer.special.pad,
      });
      const text = tokenizer.decode(ids.filter((id) => id !== tokenizer.special.eos));
      console.log(text);
    } finally {
      await session.release();
    }
  },
};
