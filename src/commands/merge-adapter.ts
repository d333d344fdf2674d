// ThanoRA: Merge Adapter into Base Model — on a run folder (its last checkpoint), a checkpoint folder or its
// adapter_model.safetensors. Writes the merged model and the PEFT adapter next to the run or into a folder
// the user picks inside the workspace, then shows the verification; a failed check is a warning with numbers.
import * as path from 'path';
import * as vscode from 'vscode';
import type { RunSummary } from '../protocol/webview-messages';
import { mergeInWorker, type MergeSummary } from '../training/worker-jobs';
import { requireTrust } from './require-trust';

function mergeInput(uri: vscode.Uri): string {
  return path.basename(uri.fsPath) === 'adapter_model.safetensors' ? path.dirname(uri.fsPath) : uri.fsPath;
}

async function pickOutDir(input: string): Promise<string | undefined | null> {
  const nextTo = { label: 'Next to the run', description: 'merged/ inside the run or checkpoint folder' };
  const choose = { label: 'Choose a folder in the workspace…' };
  const picked = await vscode.window.showQuickPick([nextTo, choose], { title: `Merge ${path.basename(input)}: output folder` });
  if (!picked) return null;
  if (picked === nextTo) return undefined;
  const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri, openLabel: 'Merge Here' });
  const folder = folders?.[0];
  if (!folder) return null;
  if (!vscode.workspace.getWorkspaceFolder(folder)) {
    void vscode.window.showWarningMessage(`ThanoRA: ${folder.fsPath} is outside the workspace; pick a folder inside it.`);
    return null;
  }
  return folder.fsPath;
}

function describe(result: MergeSummary): string {
  if (result.pass === null) return 'not verified';
  return `max relative difference ${result.maxRelativeDiff?.toExponential(2)} (tolerance ${result.tolerance?.toExponential(1)})`;
}

export function mergeAdapterCommand(workerPath: string, log: vscode.OutputChannel, listRuns: () => Promise<RunSummary[]>) {
  return async (uri?: vscode.Uri): Promise<void> => {
    if (!requireTrust('Merging')) return;
    let input = uri instanceof vscode.Uri ? mergeInput(uri) : undefined;
    if (!input) {
      const finished = (await listRuns()).filter((r) => r.state !== 'running');
      const picked = await vscode.window.showQuickPick(finished.map((r) => ({ label: `${r.label} · ${r.runId}`, description: r.state, detail: r.runDir, runDir: r.runDir })), { title: 'ThanoRA: Merge Adapter into Base Model' });
      input = picked?.runDir;
    }
    if (!input) return;
    const outDir = await pickOutDir(input);
    if (outDir === null) return;
    log.appendLine(`[${new Date().toISOString()}] merge ${input}${outDir ? ` -> ${outDir}` : ''}`);
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ThanoRA: merging ${path.basename(input)}`, cancellable: true }, (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        progress.report({ message: 'writing merged weights and verifying…' });
        return mergeInWorker(workerPath, { type: 'merge', input: input!, outDir }, (line) => log.append(line), abort.signal);
      });
      log.appendLine(`merged into ${result.outDir}: ${describe(result)}; report ${result.reportFile}`);
      const reveal = 'Reveal in Explorer';
      const report = 'Open Report';
      const show = result.pass === true ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      const headline = result.pass === true ? `ThanoRA: merged model verified, ${describe(result)}.` : result.pass === false ? `ThanoRA: merged model FAILED verification: ${describe(result)}. The merged outputs differ from adapter + base.` : 'ThanoRA: merged model written but not verified.';
      const choice = await show(headline, reveal, report);
      if (choice === reveal) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.modelFile));
      if (choice === report) await vscode.window.showTextDocument(vscode.Uri.file(result.reportFile));
    } catch (e) {
      log.appendLine(`merge failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`ThanoRA: merge failed: ${(e as Error).message}`, 'Show Log').then((c) => c && log.show());
    }
  };
}
