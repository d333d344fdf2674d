// Chat templates render exactly as transformers' apply_chat_template (tokenize=False) does: strings recorded
// by scripts/make_hf_import_fixtures.py (transformers 5.18) for Llama 3, Qwen2, Qwen2.5 (with tools), Gemma
// and Phi-3 templates, with and without the generation prompt. Exact string equality.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ChatMessage, ChatTemplate, ChatTemplateError, loadChatTemplate } from '../../../../src/core/data/chat-template';

const dir = path.join(__dirname, '../../../../../test/fixtures/hf-import/chat-templates');
const templates = JSON.parse(fs.readFileSync(path.join(dir, 'templates.json'), 'utf8')) as Record<string, { bos_token: string | null; eos_token: string; chat_template: string }>;
const recorded = JSON.parse(fs.readFileSync(path.join(dir, 'rendered.json'), 'utf8')) as {
  conversations: ChatMessage[][];
  tools: unknown[];
  rendered: { template: string; conversation: number; add_generation_prompt: boolean; tools?: boolean; text?: string; error?: string }[];
};

function templateOf(name: string): ChatTemplate {
  const t = templates[name];
  return new ChatTemplate(`${name} template`, t.chat_template, { bos_token: t.bos_token, eos_token: t.eos_token });
}

describe('ChatTemplate (recorded apply_chat_template strings)', () => {
  it('covers every template and both generation-prompt settings', () => {
    assert.deepStrictEqual([...new Set(recorded.rendered.map((r) => r.template))].sort(), Object.keys(templates).sort());
    assert.ok(recorded.rendered.length >= 30);
  });

  for (const r of recorded.rendered) {
    const label = `${r.template}, conversation ${r.conversation}, add_generation_prompt=${r.add_generation_prompt}${r.tools ? ', tools' : ''}`;
    it(label, () => {
      const render = () => templateOf(r.template).render(recorded.conversations[r.conversation], { addGenerationPrompt: r.add_generation_prompt, tools: r.tools ? recorded.tools : undefined });
      if (r.error !== undefined) {
        assert.throws(render, (e: Error) => e instanceof ChatTemplateError && e.message.includes(r.error!) && e.message.includes(`${r.template} template`));
      } else {
        assert.strictEqual(render(), r.text);
      }
    });
  }

  it('loads the template from chat_template.jinja before tokenizer_config.json, and the "default" of a list', () => {
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'chat-'));
    const conv: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    assert.strictEqual(loadChatTemplate(tmp, {}), undefined);
    const listed = loadChatTemplate(tmp, { chat_template: [{ name: 'tool_use', template: 'T' }, { name: 'default', template: 'D{{ messages[0].content }}' }] });
    assert.strictEqual(listed!.render(conv), 'Dhi');
    fs.writeFileSync(path.join(tmp, 'chat_template.jinja'), 'J{{ messages[0].content }}{{ eos_token }}');
    assert.strictEqual(loadChatTemplate(tmp, { chat_template: 'X', eos_token: { content: '</s>' } })!.render(conv), 'Jhi</s>');
    assert.throws(() => loadChatTemplate(path.join(tmp, 'none'), { chat_template: [{ name: 'x', template: '' }] }), /without a "default" template/);
    fs.writeFileSync(path.join(tmp, 'chat_template.jinja'), '{% for m in messages %}');
    assert.throws(() => loadChatTemplate(tmp, {}), (e: Error) => e instanceof ChatTemplateError && e.message.includes('chat_template.jinja') && e.message.includes('does not parse'));
    fs.rmSync(tmp, { recursive: true });
  });
});
