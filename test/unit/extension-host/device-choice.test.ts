import * as assert from 'assert';
import { chooseDevice, describeRunDevice } from '../../../src/training/device-choice';

describe('chooseDevice', () => {
  it('the file decides unless the user set thanora.device', () => {
    assert.deepStrictEqual(chooseDevice(undefined, 'cpu', 'thanora.json'), { device: 'cpu', source: 'thanora.json' });
    assert.deepStrictEqual(chooseDevice('cuda', 'cpu', 'thanora.json'), { device: 'cuda', source: 'the setting thanora.device, over thanora.json\'s "cpu"', override: 'cuda' });
    assert.deepStrictEqual(chooseDevice('cpu', 'cpu', 'thanora.json'), { device: 'cpu', source: 'the setting thanora.device', override: 'cpu' });
  });

  it('falls back to auto, saying so, when neither names a device (or names none that exists)', () => {
    for (const [setting, file] of [[undefined, undefined], ['gpu', 'tpu']]) {
      const choice = chooseDevice(setting, file, 'config.json');
      assert.strictEqual(choice.device, 'auto');
      assert.strictEqual(choice.override, undefined);
      assert.match(choice.source, /the default/);
    }
  });
});

describe('describeRunDevice', () => {
  const choice = chooseDevice(undefined, 'auto', 'thanora.json');
  it('names the GPU, a plain CPU run, and a fallback with its reason and where to read about it', () => {
    assert.strictEqual(describeRunDevice(choice, { provider: 'cuda' }), 'running on the GPU (CUDA); device auto from thanora.json');
    assert.strictEqual(describeRunDevice(chooseDevice(undefined, 'cpu', 'thanora.json'), { provider: 'cpu' }), 'running on CPU (device cpu from thanora.json)');
    const line = describeRunDevice(choice, { provider: 'cpu', fallbackReason: 'the CUDA provider of ONNX Runtime is not installed' });
    assert.strictEqual(line, 'running on CPU: GPU not available: the CUDA provider of ONNX Runtime is not installed; see README › GPU to set it up (device auto from thanora.json)');
    assert.doesNotMatch(line, /npm/, 'no shell advice inside the editor');
  });
});
