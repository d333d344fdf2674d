// Which models the bundled ONNX Runtime can load, checked before it is asked to: past its newest IR version or
// opset it fails with a C++ source location and a "Current official support" sentence, not a fix. The limits were
// probed on onnxruntime-node 1.30.0 (the fixture model restamped with each version: the highest that loads, and
// the next that is refused); test/unit/core/onnx/runtime-support.test.ts probes them again, so an upgrade of the
// runtime that moves them fails the suite until this table follows.
import { ModelProto } from './types';

export const RUNTIME_SUPPORT = {
  runtime: 'ONNX Runtime 1.30 (onnxruntime-node)',
  maxIrVersion: 13,
  /** Newest opset per operator domain ('' and 'ai.onnx' are the default domain). */
  maxOpset: { 'ai.onnx': 26, 'ai.onnx.ml': 5, 'com.microsoft': 1 } as Record<string, number>,
};

export class UnsupportedModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedModelError';
  }
}

export interface SupportRequirements {
  /** Oldest default-domain opset the caller's own graph additions need, and why ("training: ..."). */
  minOpset?: { version: number; why: string };
}

/** Everything about `model` the bundled runtime (or the caller) cannot handle; empty when it loads. */
export function modelSupportProblems(model: ModelProto, requirements: SupportRequirements = {}): string[] {
  const problems: string[] = [];
  const { runtime, maxIrVersion, maxOpset } = RUNTIME_SUPPORT;
  if (model.irVersion > maxIrVersion) {
    problems.push(
      `the model's IR version is ${model.irVersion}, but ${runtime} reads IR versions up to ${maxIrVersion}; ` +
        `re-export it with an older exporter (or, if it uses nothing newer, set ir_version = ${maxIrVersion} with the onnx Python package)`,
    );
  }
  for (const { domain, version } of model.opsetImports) {
    const name = domain === '' ? 'ai.onnx' : domain;
    const max = maxOpset[name];
    if (max !== undefined && version > max) {
      const hint = name === 'ai.onnx' ? ` re-export it with opset_version between 17 and ${max}` : ` re-export it without ${name} operators newer than opset ${max}`;
      problems.push(`the model imports opset ${version} of ${name}, but ${runtime} supports ${name} up to opset ${max};${hint}`);
    }
  }
  const defaultOpset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  const min = requirements.minOpset;
  if (min && defaultOpset !== undefined && defaultOpset < min.version) {
    problems.push(`the model imports ONNX opset ${defaultOpset}, but ${min.why} needs opset ≥ ${min.version}; re-export it with opset_version=17`);
  }
  return problems;
}

/** Throws UnsupportedModelError naming `file` and every problem. */
export function checkModelSupport(model: ModelProto, file: string, requirements: SupportRequirements = {}): void {
  const problems = modelSupportProblems(model, requirements);
  if (problems.length === 1) throw new UnsupportedModelError(`${file}: ${problems[0]}`);
  if (problems.length > 1) throw new UnsupportedModelError(`${file} cannot be loaded:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}
