// The playground panel of the wide dashboard (markup: src/views/playground-html.ts). It lists the selected run's
// models from the host, sends one request per Generate (the host cancels the one before), and shows the base
// model's and the tuned model's completions side by side. Only the newest request's answer is shown.
import { MAX_PLAYGROUND_TOKENS, type Decoding, type PlaygroundCompletion, type PlaygroundModel, type PlaygroundRequest } from '../../src/protocol/playground';
import type { GeneratedMessage, PlaygroundModelsMessage } from '../../src/protocol/webview-messages';
import { post } from './vscode-api';

const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function describe(c: PlaygroundCompletion): string {
  const end = c.stoppedAtEos ? 'ended by the model (EOS)' : 'stopped at max tokens';
  return `${c.ids.length} token${c.ids.length === 1 ? '' : 's'} · ${end} · ${Math.round(c.ms)} ms`;
}

export class Playground {
  private readonly root = element('playground');
  private readonly model = element<HTMLSelectElement>('pg-model');
  private readonly prompt = element<HTMLTextAreaElement>('pg-prompt');
  private readonly button = element('pg-generate');
  private readonly status = element('pg-status');
  private readonly error = element('pg-error');
  private readonly note = element('pg-note');
  private runDir?: string;
  private trusted = true;
  private models: PlaygroundModel[] = [];
  private listError?: string;
  private lastId = 0;
  private pending?: number;

  constructor() {
    const sampled = () => (element('pg-sampling').hidden = !element<HTMLInputElement>('pg-sampled').checked);
    for (const id of ['pg-greedy', 'pg-sampled']) element(id).addEventListener('change', sampled);
    sampled();
    this.button.addEventListener('click', () => this.generate());
    this.prompt.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.generate();
      }
    });
    // Checkpoints appear while a run trains and a merge adds the merged model: read the list again when opened.
    this.model.addEventListener('focus', () => this.listModels());
  }

  /** The dashboard's selected run and the workspace trust; called on every render. */
  update(runDir: string | undefined, trusted: boolean): void {
    this.root.hidden = !runDir;
    this.trusted = trusted;
    if (runDir !== this.runDir) {
      this.runDir = runDir;
      this.models = [];
      this.listError = undefined;
      this.pending = undefined;
      this.clearColumns();
      element('pg-tuned').querySelector('h4')!.textContent = 'Tuned';
      this.status.textContent = '';
      this.listModels();
    }
    this.renderControls();
  }

  handle(message: PlaygroundModelsMessage | GeneratedMessage): void {
    if (message.type === 'playgroundModels') {
      if (message.runDir !== this.runDir) return;
      this.models = message.models;
      this.listError = message.error;
      this.renderModels();
      this.renderControls();
      return;
    }
    if (message.requestId !== this.pending) return;
    this.pending = undefined;
    if ('error' in message) {
      this.error.textContent = message.error;
      this.status.textContent = '';
      this.clearColumns();
    } else {
      const r = message.result;
      const chat = r.chatTemplate ? ', through the chat template' : element<HTMLInputElement>('pg-chat').checked ? ' (the tokenizer has no chat template)' : '';
      this.status.textContent = `prompt: ${r.promptTokens} tokens${chat}`;
      this.status.title = r.promptText;
      this.showColumn('pg-base', 'Base model', r.base);
      this.showColumn('pg-tuned', `Tuned: ${r.tuned.label}`, r.tuned);
    }
    this.renderControls();
  }

  private listModels(): void {
    if (this.runDir) post({ type: 'listPlaygroundModels', runDir: this.runDir });
  }

  private renderModels(): void {
    const kept = this.model.value;
    this.model.replaceChildren(
      ...this.models.map((m) => {
        const option = document.createElement('option');
        option.value = m.choice;
        option.textContent = m.label;
        return option;
      }),
    );
    if (this.models.some((m) => m.choice === kept)) this.model.value = kept;
  }

  private renderControls(): void {
    const why = !this.trusted
      ? 'This workspace is not trusted: the playground runs the models with native code. Trust the workspace to use it.'
      : this.listError ?? (this.models.length === 0 && this.runDir ? 'This run has no checkpoint yet: the playground prompts a checkpoint or the merged model.' : '');
    this.button.toggleAttribute('disabled', !!why);
    this.model.disabled = this.models.length === 0;
    this.note.textContent = why;
  }

  /** The settings as the host accepts them (src/views/parse-playground-request.ts), or what is wrong. */
  private settingsProblem(request: PlaygroundRequest): string | undefined {
    const d = request.decoding;
    if (!Number.isInteger(request.maxNewTokens) || request.maxNewTokens < 1 || request.maxNewTokens > MAX_PLAYGROUND_TOKENS) return `max tokens must be a whole number from 1 to ${MAX_PLAYGROUND_TOKENS}.`;
    if (d.kind === 'greedy') return undefined;
    if (!(d.temperature >= 0 && d.temperature <= 100)) return 'T (temperature) must be a number from 0 (greedy) to 100.';
    if (!(d.topP > 0 && d.topP <= 1)) return 'top-p must be above 0 and at most 1.';
    if (!(Number.isInteger(d.seed) && d.seed >= 0 && d.seed <= 0xffffffff)) return 'seed must be a whole number from 0 to 4294967295.';
    return undefined;
  }

  private decoding(): Decoding {
    if (!element<HTMLInputElement>('pg-sampled').checked) return { kind: 'greedy' };
    const value = (id: string) => (element<HTMLInputElement>(id).value.trim() === '' ? NaN : Number(element<HTMLInputElement>(id).value));
    return { kind: 'sample', temperature: value('pg-temperature'), topP: value('pg-top-p'), seed: value('pg-seed') };
  }

  private generate(): void {
    if (!this.runDir || this.button.hasAttribute('disabled')) return;
    if (!this.prompt.value) {
      this.error.textContent = 'Write a prompt first.';
      return;
    }
    const request: PlaygroundRequest = {
      runDir: this.runDir,
      tuned: this.model.value || undefined,
      prompt: this.prompt.value,
      useChatTemplate: element<HTMLInputElement>('pg-chat').checked,
      decoding: this.decoding(),
      maxNewTokens: Number(element<HTMLInputElement>('pg-max-tokens').value),
    };
    const problem = this.settingsProblem(request);
    if (problem) {
      this.error.textContent = problem;
      return;
    }
    this.pending = ++this.lastId;
    this.error.textContent = '';
    this.status.textContent = 'Generating…';
    this.clearColumns();
    post({ type: 'generate', requestId: this.pending, request });
  }

  private clearColumns(): void {
    for (const id of ['pg-base', 'pg-tuned']) {
      const column = element(id);
      column.querySelector('.pg-text')!.textContent = '';
      column.querySelector('.pg-meta')!.textContent = '';
    }
  }

  private showColumn(id: string, title: string, c: PlaygroundCompletion): void {
    const column = element(id);
    column.querySelector('h4')!.textContent = title;
    column.title = c.path;
    const text = column.querySelector('.pg-text')!;
    text.textContent = c.text;
    text.classList.toggle('pg-empty', c.text.length === 0);
    column.querySelector('.pg-meta')!.textContent = describe(c);
  }
}
