// thanora.json → ExperimentConfig: read, parse (with positions), validate against schemas/thanora.schema.json
// (Ajv fills the schema's defaults), resolve paths relative to the file, check the cross-field rules. Every
// problem found at a stage is reported together as one ExperimentConfigError with pointer and file:line:column;
// later stages run only when the earlier ones passed, since they rely on a well-formed value.
import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import type { ExperimentConfig } from './experiment-config';
import { ConfigIssue, ExperimentConfigError } from './experiment-error';
import { JsonSyntaxError, parseJsonWithLocations, PointerLocation, SourcePosition } from './json-source-map';
import { installedPath } from '../io/installed-file';
import { checkExperimentRules, resolveExperiment } from './resolve-experiment';
import { schemaIssuesFromAjv } from './schema-errors';

const schemaRelativePath = path.join('schemas', 'thanora.schema.json');

/** Absolute path of the experiment JSON Schema; it ships at the package root (the extension's jsonValidation points there too). */
export function experimentSchemaPath(): string {
  return installedPath(schemaRelativePath);
}

let compiledValidator: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiledValidator) {
    const schema = JSON.parse(fs.readFileSync(experimentSchemaPath(), 'utf8'));
    const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: true });
    compiledValidator = ajv.compile(schema);
  }
  return compiledValidator;
}

// A pointer to a missing field has no location of its own; the closest enclosing value that exists stands in.
function locate(locations: Map<string, PointerLocation>, pointer: string, at: 'key' | 'value'): SourcePosition | undefined {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const found = locations.get(p);
    if (found) return (at === 'key' && p === pointer ? found.key : undefined) ?? found.value;
    if (p === '') return undefined;
  }
}

function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.column ?? 0) - (b.position?.column ?? 0);
}

/**
 * Parses and checks the text of a thanora.json. `file` is where it lives (or would live): relative paths resolve
 * against its folder and messages name it. Throws ExperimentConfigError listing every problem found.
 */
export interface LoadExperimentOptions {
  /** The folder `output` must stay inside (a VS Code workspace folder); default the experiment file's folder. */
  workspaceRoot?: string;
  /** The caller replaces `output` (`--runs-dir`), so where the file's points does not matter. */
  outputReplaced?: boolean;
}

export function parseExperiment(text: string, file: string, options: LoadExperimentOptions = {}): ExperimentConfig {
  const absoluteFile = path.resolve(file);
  const fail = (issues: ConfigIssue[]): never => {
    throw new ExperimentConfigError(absoluteFile, [...issues].sort(byPosition));
  };
  let parsed;
  try {
    parsed = parseJsonWithLocations(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return fail([{ pointer: '', message: `invalid JSON: ${e.reason}`, position: e.position }]);
    throw e;
  }
  const { locations } = parsed;
  const issues: ConfigIssue[] = parsed.duplicateKeys.map(({ pointer, position }) => ({
    pointer,
    position,
    message: `"${pointer.slice(pointer.lastIndexOf('/') + 1)}" is written twice in the same object; only the last would count, so remove one`,
  }));
  const given = structuredClone(parsed.value);
  const value = parsed.value;
  const validate = validator();
  if (!validate(value)) {
    for (const issue of schemaIssuesFromAjv(validate.errors ?? [])) {
      issues.push({ pointer: issue.pointer, message: issue.message, position: locate(locations, issue.pointer, issue.at) });
    }
  }
  if (issues.length > 0) return fail(issues);
  const config = resolveExperiment(value, given, absoluteFile);
  const ruleIssues = checkExperimentRules(config, given, options.outputReplaced ? null : (options.workspaceRoot ?? path.dirname(absoluteFile))).map((issue) => ({ ...issue, position: locate(locations, issue.pointer, 'value') }));
  if (ruleIssues.length > 0) return fail(ruleIssues);
  return config;
}

/** Reads, validates and resolves the experiment file at `file`. */
export function loadExperiment(file: string, options: LoadExperimentOptions = {}): ExperimentConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder; pass the thanora.json inside it' : (e as Error).message;
    throw new ExperimentConfigError(path.resolve(file), [{ pointer: '', message: `cannot read the experiment file: ${reason}` }]);
  }
  return parseExperiment(text, file, options);
}

/**
 * An ExperimentConfigError for a problem found after loading (against the model, the data), located at
 * `pointer` in the file's current text when it can still be read.
 */
export function experimentIssue(file: string, pointer: string, message: string): ExperimentConfigError {
  let position: SourcePosition | undefined;
  try {
    position = locate(parseJsonWithLocations(fs.readFileSync(file, 'utf8')).locations, pointer, 'value');
  } catch {
    // The file moved or no longer parses: the pointer alone still names the field.
  }
  return new ExperimentConfigError(path.resolve(file), [{ pointer, message, position }]);
}
