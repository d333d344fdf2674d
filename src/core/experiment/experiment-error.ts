// Problems with a thanora.json, each tied to a field by JSON pointer and, when the text is available, by
// file:line:column, so the CLI prints clickable locations and the editor can underline the field.
import type { SourcePosition } from './json-source-map';

export interface ConfigIssue {
  /** JSON pointer of the field ('' = the whole file), e.g. /training/lr or /tasks/1/train. */
  pointer: string;
  /** What is wrong and what is allowed. */
  message: string;
  position?: SourcePosition;
}

export function formatConfigIssue(file: string, issue: ConfigIssue): string {
  const where = issue.position ? `${file}:${issue.position.line}:${issue.position.column}` : file;
  return `${where}: ${issue.pointer === '' ? '(file)' : issue.pointer}: ${issue.message}`;
}

export class ExperimentConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super([`${count} in ${file}:`, ...issues.map((issue) => `  ${formatConfigIssue(file, issue)}`)].join('\n'));
    this.name = 'ExperimentConfigError';
  }
}
