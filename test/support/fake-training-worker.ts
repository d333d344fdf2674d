// A stand-in for dist/worker.js in host tests: the real message loop (serveTrainingRequests) around a fake
// trainer whose behaviour the experiment file names: {"behaviour": "finish" | "crash" | "ignore-stop" |
// "throw" | "stop-cooperatively", "runsDir": "..."}. It writes a real run folder as the trainer would.
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../../src/core/io/atomic-write';
import { RUN_FILES, type RunEvent } from '../../src/protocol/run-events';
import { serveTrainingRequests, type TrainingRunner } from '../../src/worker/serve-training-requests';
import { syntheticRunEvents } from './synthetic-run';

const fakeTrainer: TrainingRunner = async (experimentFile, options, onEvent) => {
  const spec = JSON.parse(fs.readFileSync(experimentFile, 'utf8')) as { behaviour: string; runsDir: string };
  if (spec.behaviour === 'throw') throw new Error(`${experimentFile}: /tasks/0/train: file not found (fake)`);
  const runDir = path.join(options.runsDir ?? spec.runsDir, 'run-1');
  fs.mkdirSync(runDir, { recursive: true });
  const emit = (event: RunEvent): void => {
    fs.appendFileSync(path.join(runDir, RUN_FILES.metrics), JSON.stringify(event) + '\n');
    onEvent?.(event, runDir);
  };
  const status = (state: 'running' | 'finished' | 'stopped', step: number): void =>
    writeJsonAtomic(path.join(runDir, RUN_FILES.status), { state, runId: 'run-1', step, totalSteps: 40, pid: process.pid, updated: new Date().toISOString() });
  status('running', 0);
  const events = syntheticRunEvents({ runId: 'run-1', steps: 40 }).filter((e) => e.type !== 'end');
  let step = 0;
  for (const event of events) {
    if (event.type === 'step') {
      step = event.step;
      status('running', step);
      await new Promise((r) => setTimeout(r, 5));
      if (spec.behaviour === 'crash' && step === 5) process.exit(3);
      if (spec.behaviour !== 'ignore-stop' && options.signal?.aborted) {
        emit({ type: 'end', step, time: new Date().toISOString(), state: 'stopped' });
        status('stopped', step);
        return { runDir, state: 'stopped' };
      }
      if (spec.behaviour === 'ignore-stop' && step === 10) await new Promise(() => undefined);
    }
    emit(event);
  }
  emit({ type: 'end', step, time: new Date().toISOString(), state: 'finished' });
  status('finished', step);
  return { runDir, state: 'finished' };
};

serveTrainingRequests(process, fakeTrainer, (code) => process.exit(code));
