// {"messages"} and Alpaca examples: the chat template renders the conversation, the loss counts the assistant
// turns (with their end-of-turn markers) and nothing else. With the byte tokenizer every token is one byte, so
// the learned tokens decode to exactly the text they stand for.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { ChatTemplate } from '../../../../src/core/data/chat-template';
import { alpacaPrompt } from '../../../../src/core/data/conversation-example';
import { BuildOutcome, ExampleContext, IGNORE_INDEX, buildExample, detectFormat } from '../../../../src/core/data/example-formats';
import { loadHuggingFaceTokenizer } from '../../../../src/core/data/hf-tokenizer';
import { loadTaskData } from '../../../../src/core/data/load-task-data';
import type { TextTokenizer } from '../../../../src/core/data/tokenizer';
import { makeTempFolder } from './temp-files';

const fixtures = path.join(__dirname, '../../../../../test/fixtures');
const templates = JSON.parse(fs.readFileSync(path.join(fixtures, 'hf-import/chat-templates/templates.json'), 'utf8')) as Record<string, { bos_token: string | null; eos_token: string; chat_template: string }>;

function withTemplate(name: string): TextTokenizer {
  const t = templates[name];
  const bytes = new ByteTokenizer();
  const chatTemplate = new ChatTemplate(`${name} template`, t.chat_template, { bos_token: t.bos_token, eos_token: t.eos_token });
  return { kind: 'bytes', vocabSize: bytes.vocabSize, special: bytes.special, chatTemplate, encode: (s, special) => bytes.encode(s, special), decode: (ids) => bytes.decode(ids) };
}

const ctx = (tokenizer: TextTokenizer, seqLength = 512): ExampleContext => ({ tokenizer, seqLength });

function learned(outcome: BuildOutcome, tokenizer: TextTokenizer): { all: string; learnedText: string; labels: Int32Array } {
  assert.strictEqual(outcome.status, 'ok', JSON.stringify(outcome));
  const { example } = outcome as Extract<BuildOutcome, { status: 'ok' }>;
  assert.strictEqual(example.kind, 'causal_lm');
  if (example.kind !== 'causal_lm') throw new Error('unreachable');
  const ids = [...example.inputIds];
  return { all: tokenizer.decode(ids), learnedText: tokenizer.decode(ids.filter((_, i) => example.labels[i] !== IGNORE_INDEX)), labels: example.labels };
}

const conversation = [
  { role: 'system', content: 'You reverse words.' },
  { role: 'user', content: 'reverse: apple' },
  { role: 'assistant', content: 'elppa' },
  { role: 'user', content: 'and tiger?' },
  { role: 'assistant', content: 'regit' },
];

describe('messages and Alpaca examples', () => {
  it('detects {"messages"} and {"instruction", "output"} lines', () => {
    assert.strictEqual(detectFormat({ messages: [] }), 'messages');
    assert.strictEqual(detectFormat({ instruction: 'a', input: '', output: 'b' }), 'alpaca');
    assert.strictEqual(detectFormat({ instruction: 'a' }), undefined);
  });

  it('Qwen2 template: the whole rendered text, loss on each assistant turn and its <|im_end|>\\n only', () => {
    const tokenizer = withTemplate('qwen2');
    const { all, learnedText } = learned(buildExample({ messages: conversation }, 'messages', 1, ctx(tokenizer)), tokenizer);
    assert.strictEqual(all, tokenizer.chatTemplate!.render(conversation));
    assert.strictEqual(learnedText, 'elppa<|im_end|>\nregit<|im_end|>\n');
  });

  it('Llama 3 template: BOS comes from the template text, the assistant header is not learned', () => {
    const tokenizer = withTemplate('llama3');
    const { all, learnedText } = learned(buildExample({ messages: conversation }, 'messages', 1, ctx(tokenizer)), tokenizer);
    assert.ok(all.startsWith('<|begin_of_text|><|start_header_id|>system'));
    assert.strictEqual(learnedText, 'elppa<|eot_id|>regit<|eot_id|>');
  });

  it('Phi-3 template: the eos it appends after the conversation counts for the last turn only', () => {
    const tokenizer = withTemplate('phi3');
    const { learnedText } = learned(buildExample({ messages: conversation }, 'messages', 1, ctx(tokenizer)), tokenizer);
    assert.strictEqual(learnedText, 'elppa<|end|>\nregit<|end|>\n<|endoftext|>');
  });

  it('a template that refuses the conversation, no template, or bad messages: line errors that say why', () => {
    const gemma = buildExample({ messages: conversation }, 'messages', 7, ctx(withTemplate('gemma')));
    assert.strictEqual(gemma.status, 'error');
    assert.match((gemma as { message: string }).message, /gemma template fails on this conversation: .*System role not supported/);
    const plain = buildExample({ messages: conversation }, 'messages', 1, ctx(new ByteTokenizer()));
    assert.match((plain as { message: string }).message, /needs the tokenizer's chat template/);
    const q = ctx(withTemplate('qwen2'));
    assert.match((buildExample({ messages: [{ role: 'user', content: 'x' }] }, 'messages', 1, q) as { message: string }).message, /no "assistant" message/);
    assert.match((buildExample({ messages: [{ role: 'user', content: 3 }] }, 'messages', 1, q) as { message: string }).message, /messages\[0\]\.content must be a string/);
    assert.match((buildExample({ messages: 'hi' }, 'messages', 1, q) as { message: string }).message, /non-empty list/);
  });

  it('truncation keeps the front; a conversation cut before any assistant token is dropped', () => {
    const tokenizer = withTemplate('qwen2');
    const answerStart = tokenizer.chatTemplate!.render(conversation.slice(0, 2), { addGenerationPrompt: true }).length;
    const kept = buildExample({ messages: conversation }, 'messages', 1, ctx(tokenizer, answerStart + 3));
    assert.strictEqual(learned(kept, tokenizer).learnedText, 'elp');
    const dropped = buildExample({ messages: conversation }, 'messages', 1, ctx(tokenizer, answerStart));
    assert.deepStrictEqual(dropped, { status: 'dropped', reason: `no assistant token is left after truncation to seqLength ${answerStart}` });
  });

  it('Alpaca with a chat template is a user/assistant conversation (instruction, blank line, input)', () => {
    const tokenizer = withTemplate('qwen2');
    const { all, learnedText } = learned(buildExample({ instruction: 'Reverse the word.', input: 'stone', output: 'enots' }, 'alpaca', 1, ctx(tokenizer)), tokenizer);
    assert.strictEqual(all, tokenizer.chatTemplate!.render([{ role: 'user', content: 'Reverse the word.\n\nstone' }, { role: 'assistant', content: 'enots' }]));
    assert.strictEqual(learnedText, 'enots<|im_end|>\n');
  });

  it('Alpaca without a chat template uses the Stanford Alpaca prompt; loss on the output and EOS', () => {
    const tokenizer = new ByteTokenizer();
    const { all, labels } = learned(buildExample({ instruction: 'Reverse the word.', output: 'enots' }, 'alpaca', 1, ctx(tokenizer)), tokenizer);
    const prompt = alpacaPrompt('Reverse the word.', '');
    assert.ok(prompt.endsWith('### Instruction:\nReverse the word.\n\n### Response:\n'));
    assert.strictEqual(all, `${prompt}enots`);
    assert.strictEqual([...labels].filter((l) => l !== IGNORE_INDEX).length, 'enots'.length + 1);
    assert.match(alpacaPrompt('i', 'x'), /paired with an input[\s\S]*### Input:\nx\n\n### Response:\n$/);
    const bad = buildExample({ instruction: 'a', input: 3, output: 'b' }, 'alpaca', 1, ctx(tokenizer));
    assert.match((bad as { message: string }).message, /"input" must be a string/);
  });

  it('a Hugging Face tokenizer folder with a chat template: messages files load, and the data report counts them', () => {
    const temp = makeTempFolder();
    try {
      temp.write('tok/tokenizer.json', fs.readFileSync(path.join(fixtures, 'hf/train_assets/tokenizer.json'), 'utf8'));
      temp.write('tok/tokenizer_config.json', JSON.stringify({ eos_token: '</s>', pad_token: '<pad>', chat_template: templates.qwen2.chat_template }));
      const tokenizer = loadHuggingFaceTokenizer(path.join(temp.dir, 'tok'));
      assert.ok(tokenizer.chatTemplate);
      const rows = ['stone', 'apple', 'tiger'].map((w) => ({ messages: [{ role: 'user', content: `reverse: ${w}` }, { role: 'assistant', content: [...w].reverse().join('') }] }));
      temp.writeJsonl('chat.train.jsonl', rows);
      temp.writeJsonl('chat.eval.jsonl', rows.slice(0, 1));
      const data = loadTaskData([{ name: 'chat', train: `${temp.dir}/chat.train.jsonl`, eval: `${temp.dir}/chat.eval.jsonl`, format: 'auto' }], tokenizer, { seqLength: 256 });
      assert.strictEqual(data.tasks[0].format, 'messages');
      data.tasks[0].train.forEach((e, k) => {
        if (e.kind !== 'causal_lm') throw new Error('causal');
        const learnedIds = [...e.inputIds].filter((_, i) => e.labels[i] !== IGNORE_INDEX);
        // The learned tokens are exactly the answer span: the reversed word and the <|im_end|>\n closing it.
        assert.deepStrictEqual(learnedIds, tokenizer.encode(`${rows[k].messages[1].content}<|im_end|>\n`, false));
        assert.ok(learnedIds.length < e.inputIds.length);
      });
      assert.match(data.summary[0], /^data: task "chat" train: 3 messages examples, \d+ tokens \(\d+ in the loss\), none truncated$/);
    } finally {
      temp.remove();
    }
  });
});
