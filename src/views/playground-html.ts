// The playground's part of the wide dashboard (webview/src/playground.ts drives it): a model of the selected
// run, greedy or sampled decoding, a prompt, and the base model's and the tuned model's completions side by side.
import { MAX_PLAYGROUND_TOKENS } from '../protocol/playground';

export function playgroundHtml(): string {
  return `<details id="playground" class="playground" open>
    <summary><h3>Playground</h3> <span class="hint">the selected run's tuned model next to its base model, on the same prompt</span></summary>
    <div class="pg-controls">
      <label>Model <select id="pg-model" aria-label="Tuned model: the merged model or a checkpoint"></select></label>
      <fieldset class="pg-decoding"><legend>Decoding</legend>
        <label><input type="radio" name="pg-decoding" id="pg-greedy" value="greedy" checked> Greedy</label>
        <label><input type="radio" name="pg-decoding" id="pg-sampled" value="sample"> Sampled</label>
        <span id="pg-sampling" class="pg-sampling">
          <label title="softmax(z / T): below 1 sharper, above 1 flatter; 0 is greedy">T <input id="pg-temperature" type="number" min="0" max="100" step="0.1" value="0.8"></label>
          <label title="Draw from the smallest set of most likely tokens whose probability reaches p">top-p <input id="pg-top-p" type="number" min="0.01" max="1" step="0.05" value="0.95"></label>
          <label title="The same seed draws the same tokens">seed <input id="pg-seed" type="number" min="0" max="4294967295" step="1" value="1"></label>
        </span>
      </fieldset>
      <label title="Stop after this many tokens unless the model ends its answer (EOS) first">max tokens <input id="pg-max-tokens" type="number" min="1" max="${MAX_PLAYGROUND_TOKENS}" step="1" value="64"></label>
      <label title="Wrap the prompt as one user turn with the tokenizer's chat template, when it has one"><input id="pg-chat" type="checkbox" checked> chat template</label>
    </div>
    <textarea id="pg-prompt" rows="3" spellcheck="false" aria-label="Prompt" placeholder="A prompt as the tasks write it, e.g. reverse: stone and a new line. Ctrl+Enter generates."></textarea>
    <div class="pg-actions"><vscode-button id="pg-generate" title="Complete the prompt with both models (Ctrl+Enter)">Generate</vscode-button> <span id="pg-status" class="pg-status" role="status"></span></div>
    <p id="pg-note" class="notice"></p>
    <p id="pg-error" class="error"></p>
    <div class="pg-columns">
      <section id="pg-base" class="pg-column" aria-label="Base model"><h4>Base model</h4><pre class="pg-text"></pre><p class="pg-meta"></p></section>
      <section id="pg-tuned" class="pg-column" aria-label="Tuned model"><h4>Tuned</h4><pre class="pg-text"></pre><p class="pg-meta"></p></section>
    </div>
  </details>`;
}
