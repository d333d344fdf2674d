import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BatchFileError, parseBatch, readBatchFile } from '../../../../src/core/io/batch-file';

const fixturesDir = path.join(__dirname, '../../../../../test/fixtures');

function throwsBatch(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof BatchFileError, `expected BatchFileError, got ${e.name}: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message lacks '${f}': ${e.message}`);
    return true;
  });
}

describe('batch file', () => {
  it('reads a causal-LM batch (tiny-llama) row-major with token labels', () => {
    const file = path.join(fixturesDir, 'tiny-llama/batch.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const batch = readBatchFile(file);
    assert.strictEqual(batch.batchSize, 3);
    assert.strictEqual(batch.seqLength, 12);
    assert.deepStrictEqual(Array.from(batch.inputIds), json.input_ids.flat());
    assert.deepStrictEqual(Array.from(batch.attentionMask), json.attention_mask.flat());
    assert.deepStrictEqual(Array.from(batch.labels), json.labels.flat());
    assert.deepStrictEqual(batch.labelsDims, [3, 12]);
    assert.strictEqual(batch.hasAttentionMask, true);
    assert.strictEqual(batch.labels[0], -100);
  });

  it('reads a classification batch (tiny-bert-cls) with [b] labels', () => {
    const batch = readBatchFile(path.join(fixturesDir, 'tiny-bert-cls/batch.json'));
    assert.deepStrictEqual([batch.batchSize, batch.seqLength], [4, 9]);
    assert.deepStrictEqual(batch.labelsDims, [4]);
    assert.deepStrictEqual(Array.from(batch.labels), [1, 1, 0, 0]);
  });

  it('reads every fixture batch', () => {
    // Fixture folders sit one level down (tiny-llama/) or two (hf/hf-llama-ts/, half/llama-float16-ts/).
    const children = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
    const folders = children(fixturesDir)
      .flatMap((dir) => [dir, ...children(dir)])
      .filter((dir) => fs.existsSync(path.join(dir, 'batch.json')));
    assert.ok(folders.length >= 18, `only ${folders.length} fixture folders`);
    for (const dir of folders) {
      const batch = readBatchFile(path.join(dir, 'batch.json'));
      assert.strictEqual(batch.inputIds.length, batch.batchSize * batch.seqLength, dir);
    }
  });

  it('fills a missing attention_mask with ones', () => {
    const batch = parseBatch({ input_ids: [[1, 2], [3, 4]], labels: [0, 1] });
    assert.strictEqual(batch.hasAttentionMask, false);
    assert.deepStrictEqual(Array.from(batch.attentionMask), [1, 1, 1, 1]);
  });

  describe('errors', () => {
    it('ragged rows name the field, the row and its length', () => {
      throwsBatch(() => parseBatch({ input_ids: [[1, 2, 3], [4, 5]], labels: [0, 1] }, 'b.json'), 'b.json', 'input_ids', 'row 1', 'length 2', 'row 0 has 3');
      throwsBatch(
        () => parseBatch({ input_ids: [[1, 2], [3, 4]], attention_mask: [[1, 1], [1, 1, 0]], labels: [0, 1] }, 'b.json'),
        'attention_mask',
        'row 1',
        'length 3',
      );
      throwsBatch(() => parseBatch({ input_ids: [[1, 2], [3, 4]], labels: [[1, 2], [3]] }, 'b.json'), 'labels', 'row 1', 'length 1');
      throwsBatch(() => parseBatch({ input_ids: [[1, 2], 7], labels: [0, 1] }, 'b.json'), 'input_ids', 'row 1', '7');
    });

    it('non-integer values name the position', () => {
      throwsBatch(() => parseBatch({ input_ids: [[1, 2.5]], labels: [0] }, 'b.json'), 'b.json', 'input_ids[0][1]', '2.5');
      throwsBatch(() => parseBatch({ input_ids: [[1, '2']], labels: [0] }, 'b.json'), 'input_ids[0][1]');
      throwsBatch(() => parseBatch({ input_ids: [[1, 2]], labels: [null] }, 'b.json'), 'labels[0]');
      throwsBatch(() => parseBatch({ input_ids: [[1, 2]], attention_mask: [[1, 2]], labels: [0] }, 'b.json'), 'attention_mask[0][1]', '0 (padding) or 1');
    });

    it('missing or mismatched fields', () => {
      throwsBatch(() => parseBatch({ labels: [0] }, 'b.json'), 'b.json', '"input_ids" is missing');
      throwsBatch(() => parseBatch({ input_ids: [[1]] }, 'b.json'), '"labels" is missing');
      throwsBatch(() => parseBatch({ input_ids: [[1], [2]], labels: [0] }, 'b.json'), '1 class labels', '2 rows');
      throwsBatch(() => parseBatch({ input_ids: [[1], [2]], attention_mask: [[1]], labels: [0, 1] }, 'b.json'), 'attention_mask', '1 rows');
      throwsBatch(() => parseBatch({ input_ids: [], labels: [] }, 'b.json'), 'input_ids', 'non-empty');
      throwsBatch(() => parseBatch([1, 2], 'b.json'), 'JSON object');
    });

    it('unreadable and invalid files name the file', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-'));
      const file = path.join(dir, 'batch.json');
      throwsBatch(() => readBatchFile(file), file);
      fs.writeFileSync(file, '{"input_ids": [[1, 2]');
      throwsBatch(() => readBatchFile(file), file, 'not valid JSON');
      fs.rmSync(dir, { recursive: true });
    });
  });
});
