// The problems of a thanora.json's text, as the editor shows them: each one with the 0-based line and column
// of the field and the message of the loader (the same checks as `thanora train`, so what the Problems panel
// says is what training would refuse). vscode-free, so it is unit-tested under mocha.
import { ExperimentConfigError } from '../core/experiment/experiment-error';
import { parseExperiment } from '../core/experiment/load-experiment';

export interface ExperimentProblem {
  /** 0-based, as vscode.Position takes them. */
  line: number;
  column: number;
  /** JSON pointer of the field ('' = the whole file). */
  pointer: string;
  message: string;
}

/** [] when the experiment loads; `workspaceRoot`: the folder `output` must stay inside. */
export function experimentProblems(text: string, file: string, workspaceRoot?: string): ExperimentProblem[] {
  try {
    parseExperiment(text, file, { workspaceRoot });
    return [];
  } catch (e) {
    if (!(e instanceof ExperimentConfigError)) return [{ line: 0, column: 0, pointer: '', message: (e as Error).message }];
    return e.issues.map((issue) => ({
      line: Math.max(0, (issue.position?.line ?? 1) - 1),
      column: Math.max(0, (issue.position?.column ?? 1) - 1),
      pointer: issue.pointer,
      message: issue.pointer === '' ? issue.message : `${issue.pointer}: ${issue.message}`,
    }));
  }
}

export interface ErrorLocation {
  file: string;
  /** 1-based, as the messages write them; column 1 when the message names only the line (data files). */
  line: number;
  column: number;
  /** What the message says there: the rest of its line after the location. */
  message: string;
}

/**
 * Every `file:line` or `file:line:column` an error message names, one per line of the message (ExperimentConfigError
 * writes `thanora.json:12:15: …`, DataLoadError `a.train.jsonl:3 (task "a"): …`), for the Problems panel.
 */
export function errorLocations(message: string): ErrorLocation[] {
  return message.split('\n').flatMap((text) => {
    const match = /((?:[A-Za-z]:)?[^\s:'"()]+\.[A-Za-z]+):(\d+)(?::(\d+))?/.exec(text);
    if (!match) return [];
    const rest = text.slice(match.index + match[0].length).replace(/^:?\s*/, '').trim();
    return [{ file: match[1], line: Number(match[2]), column: Number(match[3] ?? 1), message: rest || text.trim() }];
  });
}

/** The first location an error message names, if any. */
export function firstLocation(message: string): ErrorLocation | undefined {
  return errorLocations(message)[0];
}

/** The text a problem's "did you mean …?" proposes for the token it underlines ('"uniform"', '{"name": "lora"}'). */
export function suggestedReplacement(message: string): string | undefined {
  return /did you mean (\{[^}]*\}|"[^"]*")\?/.exec(message)?.[1];
}
