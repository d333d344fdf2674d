// Loads and tokenizes the train and eval files of every task. All problems across all files are collected (up to
// `maxErrors`) and thrown together as one DataLoadError. Truncation and dropped examples are not errors: they
// are counted per split and summarized in `notes` for the log and the dashboard.
import { IssueCollector } from './data-errors';
import {
  buildExample,
  describeUnknownFormat,
  detectFormat,
  ExampleFormat,
  ExampleFormatSetting,
  formatObjective,
  ObjectiveKind,
  supervisedTokens,
  TokenizedExample,
} from './example-formats';
import { readJsonlFile } from './jsonl-reader';
import type { TextTokenizer } from './tokenizer';

export interface TaskDataSource {
  name: string;
  /** Absolute paths. */
  train: string;
  eval: string;
  format: ExampleFormatSetting;
  /** Class names of a classification task. */
  labels?: readonly string[];
}

export interface SplitReport {
  examples: number;
  /** Tokens kept, over all examples. */
  tokens: number;
  /** Tokens the loss counts (causal LM: labels ≠ −100 after position 0; classification: one per example). */
  lossTokens: number;
  /** Examples cut to seqLength. */
  truncated: number;
  /** Tokens cut off by truncation, over all examples. */
  truncatedTokens: number;
  /** Length of the longest example before truncation. */
  longest: number;
  /** Examples left out because nothing remained to learn (see dropReasons). */
  dropped: number;
  /** The first few reasons, as file:line: reason. */
  dropReasons: string[];
}

export interface TaskData {
  name: string;
  format: ExampleFormat;
  train: TokenizedExample[];
  eval: TokenizedExample[];
  report: { train: SplitReport; eval: SplitReport };
}

export interface LoadedTaskData {
  objective: ObjectiveKind;
  tasks: TaskData[];
  /** The data report: one line per task split with its examples and tokens, truncated and dropped ones. */
  summary: string[];
  /** One line per split that had truncated or dropped examples. */
  notes: string[];
}

export interface LoadTaskDataOptions {
  seqLength: number;
  /** Issues kept in the error (the rest are counted). Default 20. */
  maxErrors?: number;
  /** The model's vocabulary size: pre-tokenized ids must be below it. */
  vocabLimit?: number;
  /** Called as each task's splits are read: tasks done of all (0 of n before the first). */
  onTask?: (done: number, total: number) => void;
}

const keptDropReasons = 3;

interface SplitResult {
  format?: ExampleFormat;
  examples: TokenizedExample[];
  report: SplitReport;
}

function loadSplit(file: string, source: TaskDataSource, tokenizer: TextTokenizer, options: LoadTaskDataOptions, issues: IssueCollector): SplitResult {
  const report: SplitReport = { examples: 0, tokens: 0, lossTokens: 0, truncated: 0, truncatedTokens: 0, longest: 0, dropped: 0, dropReasons: [] };
  const examples: TokenizedExample[] = [];
  let format: ExampleFormat | undefined = source.format === 'auto' ? undefined : source.format;
  let detectedAt: number | undefined;
  const ctx = { tokenizer, seqLength: options.seqLength, classNames: source.labels, vocabLimit: options.vocabLimit };
  for (const { line, value } of readJsonlFile(file, issues, source.name)) {
    if (format === undefined) {
      format = detectFormat(value);
      if (format === undefined) {
        issues.add({ file, line, task: source.name, message: describeUnknownFormat(value) });
        continue;
      }
      detectedAt = line;
    }
    const outcome = buildExample(value, format, line, ctx);
    if (outcome.status === 'error') {
      const origin = detectedAt === undefined ? `the task's format is ${format}` : `this file holds ${format} examples, detected from line ${detectedAt}`;
      const hint = outcome.message.startsWith('missing') ? ` (${origin})` : '';
      issues.add({ file, line, task: source.name, message: outcome.message + hint });
    } else if (outcome.status === 'dropped') {
      report.dropped++;
      if (report.dropReasons.length < keptDropReasons) report.dropReasons.push(`${file}:${line}: ${outcome.reason}`);
    } else {
      const length = outcome.example.inputIds.length;
      examples.push(outcome.example);
      report.examples++;
      report.tokens += length;
      report.lossTokens += lossTokens(outcome.example);
      report.longest = Math.max(report.longest, outcome.truncatedFrom ?? length);
      if (outcome.truncatedFrom !== undefined) {
        report.truncated++;
        report.truncatedTokens += outcome.truncatedFrom - length;
      }
    }
  }
  return { format, examples, report };
}

function lossTokens(example: TokenizedExample): number {
  return example.kind === 'classification' ? 1 : supervisedTokens(example.labels);
}

const count = (n: number) => n.toLocaleString('en-US');

function splitSummary(task: string, split: string, format: ExampleFormat, report: SplitReport, seqLength: number): string {
  const truncated = report.truncated
    ? `${count(report.truncated)} truncated to seqLength ${seqLength} (${count(report.truncatedTokens)} tokens cut)`
    : 'none truncated';
  const dropped = report.dropped ? `, ${count(report.dropped)} dropped` : '';
  return `data: task "${task}" ${split}: ${count(report.examples)} ${format} examples, ${count(report.tokens)} tokens (${count(report.lossTokens)} in the loss), ${truncated}${dropped}`;
}

function splitNotes(task: string, split: string, report: SplitReport, seqLength: number): string[] {
  const notes: string[] = [];
  const total = report.examples + report.dropped;
  if (report.truncated > 0) {
    notes.push(`task "${task}" ${split}: ${report.truncated} of ${total} examples truncated to seqLength ${seqLength} (longest ${report.longest} tokens)`);
  }
  if (report.dropped > 0) {
    notes.push(`task "${task}" ${split}: ${report.dropped} of ${total} examples dropped, e.g. ${report.dropReasons[0]}`);
  }
  return notes;
}

export function loadTaskData(sources: readonly TaskDataSource[], tokenizer: TextTokenizer, options: LoadTaskDataOptions): LoadedTaskData {
  const issues = new IssueCollector(options.maxErrors ?? 20);
  const tasks: TaskData[] = [];
  const notes: string[] = [];
  const summary: string[] = [];
  let objective: { kind: ObjectiveKind; from: string } | undefined;
  options.onTask?.(0, sources.length);
  for (const [index, source] of sources.entries()) {
    const train = loadSplit(source.train, source, tokenizer, options, issues);
    // One file for both splits is read once: its problems are reported once.
    const splits = { train, eval: source.eval === source.train ? train : loadSplit(source.eval, source, tokenizer, options, issues) };
    for (const split of ['train', 'eval'] as const) {
      const { format, examples, report } = splits[split];
      const file = source[split];
      if (format !== undefined) {
        const kind = formatObjective[format];
        const here = `task "${source.name}" ${split}`;
        if (objective === undefined) objective = { kind, from: here };
        else if (objective.kind !== kind) {
          issues.add({ file, task: source.name, message: `holds ${kind} examples (${format}) but ${objective.from} holds ${objective.kind} examples; all tasks must train the same kind of head` });
        }
      }
      if (examples.length === 0 && report.dropped > 0) {
        issues.add({ file, task: source.name, message: `no usable examples: all ${report.dropped} were dropped, e.g. ${report.dropReasons[0]}` });
      }
      notes.push(...splitNotes(source.name, split, report, options.seqLength));
      if (format !== undefined) summary.push(splitSummary(source.name, split, format, report, options.seqLength));
    }
    // A split without a format has already produced an issue (missing, empty or unreadable file).
    const format = splits.train.format ?? splits.eval.format;
    if (format !== undefined) {
      const report = { train: splits.train.report, eval: splits.eval.report };
      tasks.push({ name: source.name, format, train: splits.train.examples, eval: splits.eval.examples, report });
    }
    options.onTask?.(index + 1, sources.length);
  }
  issues.throwIfAny();
  return { objective: objective?.kind ?? 'causal_lm', tasks, summary, notes };
}
