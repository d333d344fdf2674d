// A failed run's problems in the Problems panel: each file:line its error names (a data line of a .jsonl, a
// field of thanora.json the trainer refused) becomes a diagnostic there, until the next run starts or the file
// changes (its lines may have moved, and the next run checks it again). The
// thanora.json problems found while editing have their own collection (experiment-diagnostics.ts).
import * as path from 'path';
import * as vscode from 'vscode';
import { errorLocations } from '../training/experiment-problems';

/** A file in a workspace folder is watched through that folder (the workspace's own watcher), any other by its folder. */
function watchPattern(uri: vscode.Uri): vscode.RelativePattern {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath));
  return new vscode.RelativePattern(folder, path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/'));
}

export class RunFailureDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('thanora-run');
  /** One per file with problems: a change to it withdraws them. */
  private watchers: vscode.Disposable[] = [];

  /** Returns how many locations the error named. */
  show(error: string): number {
    this.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const location of errorLocations(error)) {
      const at = new vscode.Position(location.line - 1, location.column - 1);
      // The whole line: a data problem is about the example, not a character of it.
      const range = new vscode.Range(at, new vscode.Position(location.line - 1, Number.MAX_SAFE_INTEGER));
      const diagnostic = new vscode.Diagnostic(range, location.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'ThanoRA training';
      byFile.set(location.file, [...(byFile.get(location.file) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) {
      const uri = vscode.Uri.file(file);
      this.collection.set(uri, diagnostics);
      const watcher = vscode.workspace.createFileSystemWatcher(watchPattern(uri), true, false, false);
      const withdraw = () => this.collection.delete(uri);
      this.watchers.push(watcher, watcher.onDidChange(withdraw), watcher.onDidDelete(withdraw));
    }
    return byFile.size;
  }

  clear(): void {
    this.collection.clear();
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }

  dispose(): void {
    this.clear();
    this.collection.dispose();
  }
}
