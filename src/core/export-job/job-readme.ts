// The job folder's README: media/export-job/README.md with the experiment's numbers filled in ({{name}} slots).
import * as fs from 'fs';
import * as path from 'path';
import { installedPath } from '../io/installed-file';
import { JobSpec } from './job-spec';

export function jobReadmeValues(spec: JobSpec): Record<string, string> {
  const t = spec.training;
  return {
    runId: spec.runId,
    label: spec.label,
    method: spec.method,
    hfModel: spec.hfModel,
    hfClassName: spec.hfClassName,
    experiment: spec.experiment,
    tasks: spec.tasks.map((task) => `${task.name} (${task.examples} examples)`).join(', '),
    modules: String(spec.modules.length),
    rank: String(spec.lora.r),
    alpha: String(spec.lora.alpha),
    steps: String(t.totalSteps),
    rowsPerStep: String(t.batchSize * t.gradAccumulation),
    batchSize: String(t.batchSize),
    gradAccumulation: String(t.gradAccumulation),
    spr: spec.spr ? `λ = ${spec.spr.lambda} (sides: ${spec.spr.sides})` : 'off',
    evalEvery: String(t.evalEvery),
    bestMetric: t.best.metric,
    patience: t.best.patience > 0 ? `, and ${t.best.patience} evals without a new best stop the run early` : '',
  };
}

/** Fills every {{name}} of the template; a slot without a value is an error, not an empty string. */
export function renderJobReadme(spec: JobSpec, template = fs.readFileSync(installedPath(path.join('media', 'export-job', 'README.md')), 'utf8')): string {
  const values = jobReadmeValues(spec);
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`media/export-job/README.md: slot {{${name}}} has no value; the template and job-readme.ts disagree`);
    return value;
  });
}
