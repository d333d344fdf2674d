// thanora.json problems in the Problems panel: every experiment file in the workspace is checked when the
// extension starts and whenever it changes on disk, an open one as it is typed (debounced), with the same
// loader training uses. A problem underlines the field's value (or key) and says what is allowed.
import * as vscode from 'vscode';
import { experimentProblems, suggestedReplacement } from '../training/experiment-problems';
import { experimentGlob, findExperimentFiles } from '../training/runs-roots';

const typingDelayMs = 400;
const isExperiment = (uri: vscode.Uri) => uri.scheme === 'file' && /(^|[\\/])thanora\.json$/.test(uri.fsPath);

// A JSON token at the problem's position: a string, a number, a word (true, null) or a bracket.
const tokenPattern = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_]+|[{}[\]]/;

export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('thanora');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(experimentGlob);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.checkFile(uri)),
      watcher.onDidChange((uri) => this.checkFile(uri)),
      watcher.onDidDelete((uri) => this.collection.delete(uri)),
      vscode.workspace.onDidOpenTextDocument((d) => isExperiment(d.uri) && this.check(d.uri, d.getText())),
      vscode.workspace.onDidChangeTextDocument((e) => isExperiment(e.document.uri) && this.checkSoon(e.document)),
      // A closed editor's unsaved text is gone: the file on disk is what training would read.
      vscode.workspace.onDidCloseTextDocument((d) => isExperiment(d.uri) && this.checkFile(d.uri)),
      vscode.languages.registerCodeActionsProvider({ pattern: '**/thanora.json' }, { provideCodeActions: (document, _range, context) => quickFixes(document, context) }, {
        providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
      }),
    );
    void findExperimentFiles().then((files) => files.forEach((uri) => this.checkFile(uri)));
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }

  private checkSoon(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.check(document.uri, document.getText());
    }, typingDelayMs));
  }

  private async checkFile(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    try {
      this.check(uri, open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      this.collection.delete(uri);
    }
  }

  private check(uri: vscode.Uri, text: string): void {
    const lines = text.split('\n');
    const workspaceRoot = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    const diagnostics = experimentProblems(text, uri.fsPath, workspaceRoot).map((p) => {
      const line = Math.min(p.line, Math.max(0, lines.length - 1));
      const token = tokenPattern.exec((lines[line] ?? '').slice(p.column));
      const start = new vscode.Position(line, p.column + (token?.index ?? 0));
      const end = start.translate(0, Math.max(1, token?.[0].length ?? 1));
      const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end), p.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'ThanoRA';
      return diagnostic;
    });
    this.collection.set(uri, diagnostics);
  }
}

/** "did you mean …?" as a quick fix that writes the suggestion over the underlined token. */
function quickFixes(document: vscode.TextDocument, context: vscode.CodeActionContext): vscode.CodeAction[] {
  return context.diagnostics.flatMap((diagnostic) => {
    const replacement = diagnostic.source === 'ThanoRA' ? suggestedReplacement(diagnostic.message) : undefined;
    if (!replacement) return [];
    const fix = new vscode.CodeAction(`Change to ${replacement}`, vscode.CodeActionKind.QuickFix);
    fix.edit = new vscode.WorkspaceEdit();
    fix.edit.replace(document.uri, diagnostic.range, replacement);
    fix.diagnostics = [diagnostic];
    fix.isPreferred = true;
    return [fix];
  });
}
