// Data problems are collected, not thrown one at a time: loading every task gathers up to `limit` issues (and
// counts the rest), then fails once with all of them, so the user fixes a whole batch of bad lines in one go.

export interface DataIssue {
  /** Absolute path of the data file. */
  file: string;
  /** 1-based line number, or undefined for a problem with the file as a whole. */
  line?: number;
  /** The task the file belongs to, when known. */
  task?: string;
  message: string;
}

export function formatDataIssue(issue: DataIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const task = issue.task === undefined ? '' : ` (task "${issue.task}")`;
  return `${where}${task}: ${issue.message}`;
}

export class DataLoadError extends Error {
  constructor(
    readonly issues: readonly DataIssue[],
    /** Total number of problems found, including those past the collection limit. */
    readonly totalIssues: number,
  ) {
    const shown = issues.map((issue) => `  ${formatDataIssue(issue)}`);
    const more = totalIssues > issues.length ? [`  … and ${totalIssues - issues.length} more`] : [];
    super([`${totalIssues} problem${totalIssues === 1 ? '' : 's'} in the task data:`, ...shown, ...more].join('\n'));
    this.name = 'DataLoadError';
  }
}

export class IssueCollector {
  private readonly kept: DataIssue[] = [];
  private count = 0;

  constructor(readonly limit = 20) {}

  add(issue: DataIssue): void {
    this.count++;
    if (this.kept.length < this.limit) this.kept.push(issue);
  }

  get total(): number {
    return this.count;
  }

  /** Throws one DataLoadError holding every collected issue, if there is any. */
  throwIfAny(): void {
    if (this.count > 0) throw new DataLoadError([...this.kept], this.count);
  }
}
