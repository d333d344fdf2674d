import * as assert from 'assert';
import { BYTE_BOS_ID, BYTE_EOS_ID, BYTE_PAD_ID, BYTE_TOKEN_OFFSET, BYTE_VOCAB_SIZE, ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { loadHuggingFaceTokenizer } from '../../../../src/core/data/hf-tokenizer';
import { loadTokenizer } from '../../../../src/core/data/tokenizer';
import { makeTempFolder, TempFolder } from './temp-files';

// A tiny BPE tokenizer.json: "hello" merges to one token; a template prepends <s>.
const bpeTokenizerJson = {
  version: '1.0',
  added_tokens: [
    { id: 0, content: '<unk>', special: true },
    { id: 1, content: '<s>', special: true },
    { id: 2, content: '</s>', special: true },
  ],
  normalizer: null,
  pre_tokenizer: { type: 'Whitespace' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [],
    special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
  },
  decoder: null,
  model: {
    type: 'BPE',
    vocab: { '<unk>': 0, '<s>': 1, '</s>': 2, h: 3, e: 4, l: 5, o: 6, he: 7, ll: 8, hell: 9, hello: 10 },
    merges: ['h e', 'l l', 'he ll', 'hell o'],
    unk_token: '<unk>',
  },
};

describe('byte tokenizer', () => {
  const tokenizer = new ByteTokenizer();

  it('maps each UTF-8 byte to byte + 3 after PAD 0, BOS 1, EOS 2', () => {
    assert.deepStrictEqual([BYTE_PAD_ID, BYTE_BOS_ID, BYTE_EOS_ID, BYTE_TOKEN_OFFSET, BYTE_VOCAB_SIZE], [0, 1, 2, 3, 259]);
    // "hé" = bytes 0x68, 0xC3, 0xA9.
    assert.deepStrictEqual(tokenizer.encode('hé', true), [1, 0x68 + 3, 0xc3 + 3, 0xa9 + 3]);
    assert.deepStrictEqual(tokenizer.encode('hé', false), [0x68 + 3, 0xc3 + 3, 0xa9 + 3]);
    assert.deepStrictEqual(tokenizer.special, { bos: 1, eos: 2, pad: 0 });
    assert.strictEqual(tokenizer.vocabSize, 259);
  });

  it('decodes back to the text, skipping special ids', () => {
    const text = 'naïve 🙂 text';
    assert.strictEqual(tokenizer.decode([BYTE_BOS_ID, ...tokenizer.encode(text, false), BYTE_EOS_ID, BYTE_PAD_ID]), text);
  });

  it('is what loadTokenizer returns for "bytes"', () => {
    assert.strictEqual(loadTokenizer({ kind: 'bytes' }).kind, 'bytes');
  });
});

describe('Hugging Face tokenizer.json', () => {
  let temp: TempFolder;
  beforeEach(() => (temp = makeTempFolder()));
  afterEach(() => temp.remove());

  it('encodes with and without the special-token template', () => {
    const file = temp.write('tok/tokenizer.json', JSON.stringify(bpeTokenizerJson));
    const tokenizer = loadTokenizer({ kind: 'huggingface', path: file });
    assert.deepStrictEqual(tokenizer.encode('hello he', true), [1, 10, 7]);
    assert.deepStrictEqual(tokenizer.encode('hello', false), [10]);
    assert.strictEqual(tokenizer.vocabSize, 11);
  });

  it('finds special tokens by conventional name, padding with EOS when there is no pad token', () => {
    const tokenizer = loadHuggingFaceTokenizer(temp.write('tokenizer.json', JSON.stringify(bpeTokenizerJson)));
    assert.deepStrictEqual(tokenizer.special, { bos: 1, eos: 2, pad: 2 });
  });

  it('takes special tokens from tokenizer_config.json beside it, and accepts the folder', () => {
    temp.write('tok/tokenizer.json', JSON.stringify(bpeTokenizerJson));
    temp.write('tok/tokenizer_config.json', JSON.stringify({ bos_token: { content: '<s>' }, eos_token: '</s>', pad_token: '<unk>' }));
    const tokenizer = loadHuggingFaceTokenizer(`${temp.dir}/tok`);
    assert.deepStrictEqual(tokenizer.special, { bos: 1, eos: 2, pad: 0 });
  });

  it('rejects a special token from the config that the vocabulary lacks', () => {
    temp.write('tokenizer.json', JSON.stringify(bpeTokenizerJson));
    temp.write('tokenizer_config.json', JSON.stringify({ pad_token: '<pad>' }));
    assert.throws(() => loadHuggingFaceTokenizer(`${temp.dir}/tokenizer.json`), /pad_token "<pad>" from tokenizer_config.json is not in the vocabulary/);
  });

  it('names the file when it is missing, not JSON, or not a tokenizer', () => {
    assert.throws(() => loadHuggingFaceTokenizer(`${temp.dir}/none.json`), /cannot read the tokenizer file .*none\.json/);
    assert.throws(() => loadHuggingFaceTokenizer(temp.write('bad.json', '{oops')), /bad\.json is not valid JSON/);
    assert.throws(() => loadHuggingFaceTokenizer(temp.write('odd.json', '{"model": {"type": "Nope"}}')), /cannot build a tokenizer from .*odd\.json/);
  });

  it('reports a piece with no id instead of emitting undefined', () => {
    const wordLevel = { ...bpeTokenizerJson, post_processor: null, model: { type: 'WordLevel', vocab: { '<unk>': 0, '<s>': 1, '</s>': 2, hello: 3 } } };
    const tokenizer = loadHuggingFaceTokenizer(temp.write('tokenizer.json', JSON.stringify(wordLevel)));
    assert.deepStrictEqual(tokenizer.encode('hello', false), [3]);
    assert.throws(() => tokenizer.encode('hello world', false), /no id for the piece "world"/);
  });
});
