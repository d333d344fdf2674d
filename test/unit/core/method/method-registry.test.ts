// Every entry of the method table, through every reader: the schema accepts the name, the experiment loader
// resolves it, and a real short run on the tiny experiment (test/support/tiny-experiment.ts) trains, resumes
// and merges it. The step-0 eval is the oracle for "trains on W′ where it must": every init leaves the model's
// function unchanged (lora: B = 0; residual methods: W′ + s·B₀A₀ = W), so each method's step-0 eval loss equals
// lora's to 1e-5 relative (float32 rounding of W′); a residual method trained on W would start elsewhere.
import * as assert from 'assert';
import Ajv from 'ajv';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { experimentSchemaPath, loadExperiment } from '../../../../src/core/experiment/load-experiment';
import { METHOD_INITIALIZERS } from '../../../../src/core/method/method-initializers';
import { METHOD_NAMES, MethodName, methodSpec } from '../../../../src/core/method/method-registry';
import { mergeCheckpoint } from '../../../../src/core/merge';
import { readCheckpointAdapter, readRunEvents } from '../../../../src/core/run-folder';
import { runTraining } from '../../../../src/core/train/run-training';
import { EvalEvent, StepEvent } from '../../../../src/protocol/run-events';
import { writeTinyExperiment } from '../../../support/tiny-experiment';

describe('method registry (method-registry.ts)', function () {
  this.timeout(300000);
  const schema = JSON.parse(fs.readFileSync(experimentSchemaPath(), 'utf8'));
  const nameField = schema.properties.method.properties.name;

  it("lists exactly the schema's method.name enum, whose description names each method", () => {
    assert.deepStrictEqual([...nameField.enum].sort(), [...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) assert.ok(nameField.description.includes(`${name}:`), `schema description of method.name does not describe ${name}`);
    const check = new Ajv({ strict: false }).compile(nameField);
    assert.strictEqual(check('no-such-method'), false);
  });

  it('has one initializer per method, of the kind its preview flag says', () => {
    assert.deepStrictEqual(Object.keys(METHOD_INITIALIZERS).sort(), [...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) assert.strictEqual(METHOD_INITIALIZERS[name].preview, methodSpec(name).preview, name);
  });

  describe('a short real run of each method (tiny-llama, 2 steps)', () => {
    let dir: string;
    const runs = new Map<MethodName, { runDir: string; evals: EvalEvent[]; steps: StepEvent[] }>();
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-methods-'));
      for (const name of METHOD_NAMES) {
        const file = writeTinyExperiment(path.join(dir, name), { method: { name }, training: { steps: 2, evalEvery: 1, checkpointEvery: 1 } });
        assert.strictEqual(loadExperiment(file).method.name, name);
        const result = await runTraining(file);
        assert.strictEqual(result.state, 'finished', `${name}: ${result.error}`);
        const events = readRunEvents(result.runDir);
        runs.set(name, {
          runDir: result.runDir,
          evals: events.filter((e): e is EvalEvent => e.type === 'eval'),
          steps: events.filter((e): e is StepEvent => e.type === 'step'),
        });
      }
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const name of METHOD_NAMES) {
      it(`${name}: starts from the base model's function (step-0 eval loss = lora's, 1e-5 relative)`, () => {
        const start = runs.get(name)!.evals.find((e) => e.step === 0)!;
        const reference = runs.get('lora')!.evals.find((e) => e.step === 0)!;
        start.tasks.forEach((t, k) => {
          const want = reference.tasks[k].loss;
          assert.ok(Math.abs(t.loss - want) <= 1e-5 * Math.abs(want), `${name} ${t.task}: step-0 loss ${t.loss} vs lora's ${want}`);
        });
      });

      it(`${name}: the checkpoint records the registry's residual flag, resumes exactly and merges (report passes)`, async () => {
        const run = runs.get(name)!;
        const checkpoint = path.join(run.runDir, 'checkpoints/step-00000001');
        const meta = readCheckpointAdapter(checkpoint).meta;
        assert.deepStrictEqual([meta.method, meta.residual], [name, methodSpec(name).residual]);
        const resumed = await runTraining('', { resumeFrom: checkpoint });
        assert.strictEqual(resumed.state, 'finished', resumed.error);
        const replay = readRunEvents(run.runDir).filter((e): e is StepEvent => e.type === 'step').slice(run.steps.length);
        assert.deepStrictEqual(replay.map((s) => [s.step, s.loss]), [[2, run.steps[1].loss]]);
        const merged = await mergeCheckpoint(run.runDir);
        assert.strictEqual(merged.report.pass, true, JSON.stringify(merged.report.verification));
        assert.strictEqual(merged.report.source.method, name);
        assert.ok(merged.report.modules.every((m) => m.residual === methodSpec(name).residual));
      });
    }

    it('a checkpoint whose residual flag disagrees with its method is refused, not merged onto the wrong base', () => {
      const checkpoint = path.join(runs.get('pissa')!.runDir, 'checkpoints/step-00000001');
      const configFile = path.join(checkpoint, 'adapter_config.json');
      const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
      config.thanora.residual = false;
      fs.writeFileSync(configFile, JSON.stringify(config));
      assert.throws(() => readCheckpointAdapter(checkpoint), /"thanora"\.residual is false, but pissa trains on the residual W′/);
    });
  });
});
