import * as assert from 'assert';
import { BYTE_BOS_ID, BYTE_EOS_ID, BYTE_VOCAB_SIZE } from '../../../../src/core/data/byte-tokenizer';
import { CORPUS_RECORD_KINDS, DEMO_INSTRUCTIONS, generateCorpusRecords } from '../../../../src/core/demo/corpus';
import { DEMO_MODEL_CONFIG, corpusTokenRecords } from '../../../../src/core/demo/demo-model-recipe';
import { Rng } from '../../../../src/core/data/rng';

describe('pretraining corpus', () => {
  const records = generateCorpusRecords(1, 20000);

  it('is deterministic from the seed', () => {
    assert.deepStrictEqual(generateCorpusRecords(1, 500), records.slice(0, 500));
    assert.notDeepStrictEqual(generateCorpusRecords(2, 500), records.slice(0, 500));
  });

  it('never uses the demo task instructions, so the adapter has the demo mappings to learn', () => {
    for (const r of records) {
      for (const instruction of DEMO_INSTRUCTIONS) assert.ok(!r.includes(instruction), `record ${JSON.stringify(r)} contains '${instruction}'`);
    }
  });

  it('draws every record kind, each producing its stated output', () => {
    const rng = Rng.fromSeed(3);
    const sample = (kind: string) => CORPUS_RECORD_KINDS[kind](rng).split('\n');
    const [upperIn, upperOut] = sample('upper');
    assert.strictEqual(upperOut, upperIn.slice('upper: '.length).toUpperCase());
    const [rotIn, rotOut] = sample('rotate');
    const s = rotIn.slice('rotate: '.length);
    assert.strictEqual(rotOut, s.slice(1) + s[0]);
    const [nextIn, nextOut] = sample('next');
    assert.strictEqual(Number(nextOut), Number(nextIn.slice('next: '.length)) + 1);
    const [minIn, minOut] = sample('min');
    assert.strictEqual(minOut, [...minIn.slice('min: '.length)].sort()[0]);
    const instructions = new Set(records.map((r) => (r.includes('\n') ? r.split(':')[0] : 'text')));
    assert.ok(instructions.size >= 15, `only ${instructions.size} kinds of record in 20000`);
  });

  it('frames each record as BOS … EOS byte tokens that fit the model', () => {
    const tokens = corpusTokenRecords(1, 2000);
    let longest = 0;
    for (const t of tokens) {
      assert.strictEqual(t[0], BYTE_BOS_ID);
      assert.strictEqual(t[t.length - 1], BYTE_EOS_ID);
      assert.ok(t.every((id) => id >= 0 && id < BYTE_VOCAB_SIZE));
      longest = Math.max(longest, t.length);
    }
    assert.ok(longest <= 64, `longest record ${longest} tokens`);
    assert.strictEqual(DEMO_MODEL_CONFIG.vocabSize, BYTE_VOCAB_SIZE);
  });
});
