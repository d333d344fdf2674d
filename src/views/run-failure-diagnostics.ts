// A failed run's problems in the Problems panel: each file:line its error names (a data line of a .jsonl, a
// field of thanora.json the trainer refused) becomes a diagnostic there, until the next run starts. The
// thanora.json problems found while editing have their own collection (experiment-diagnostics.ts).
import * as vscode from 'vscode';
import { errorLocations } from '../training/experiment-problems';

export class RunFailureDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('thanora-run');

  /** Returns how many locations the error named. */
  show(error: string): number {
    this.collection.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const location of errorLocations(error)) {
      const at = new vscode.Position(location.line - 1, location.column - 1);
      // The whole line: a data problem is about the example, not a character of it.
      const range = new vscode.Range(at, new vscode.Position(location.line - 1, Number.MAX_SAFE_INTEGER));
      const diagnostic = new vscode.Diagnostic(range, location.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'ThanoRA training';
      byFile.set(location.file, [...(byFile.get(location.file) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.file(file), diagnostics);
    return byFile.size;
  }

  clear(): void {
    this.collection.clear();
  }

  dispose(): void {
    this.collection.dispose();
  }
}
