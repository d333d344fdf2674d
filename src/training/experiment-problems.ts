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

/** The first `file:line:column` an error message names (ExperimentConfigError and friends write them), if any. */
export function firstLocation(message: string): { file: string; line: number; column: number } | undefined {
  const match = /((?:[A-Za-z]:)?[^\s:'"()]+\.[A-Za-z]+):(\d+):(\d+)/.exec(message);
  return match ? { file: match[1], line: Number(match[2]), column: Number(match[3]) } : undefined;
}

/** The text a problem's "did you mean …?" proposes for the token it underlines ('"uniform"', '{"name": "lora"}'). */
export function suggestedReplacement(message: string): string | undefined {
  return /did you mean (\{[^}]*\}|"[^"]*")\?/.exec(message)?.[1];
}
