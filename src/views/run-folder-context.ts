// Context keys for explorer menus: `resourcePath in thanora.runFolders` marks run folders, so
// "Merge Adapter into Base Model" shows on runs without matching every folder that happens to hold files;
// `thanora.resumableFolders` holds the runs that can be resumed and their checkpoints, so "Resume Training"
// is not offered on finished or running runs.
import * as vscode from 'vscode';
import { listCheckpoints } from '../core/run-folder';
import type { RunSummary } from '../protocol/webview-messages';

export const runFoldersContextKey = 'thanora.runFolders';
export const resumableFoldersContextKey = 'thanora.resumableFolders';
export const trainingContextKey = 'thanora.training';

/** States a run can be continued from (its last checkpoint). */
export const resumableStates: readonly RunSummary['state'][] = ['stopped', 'failed', 'interrupted'];

// resourcePath is the URI path: the same as the fs path on POSIX, slash-separated on Windows.
const uriPaths = (dirs: readonly string[]) => dirs.map((d) => vscode.Uri.file(d).path);

export async function setRunFoldersContext(runs: readonly RunSummary[]): Promise<void> {
  const resumable = runs.filter((r) => resumableStates.includes(r.state)).flatMap((r) => [r.runDir, ...listCheckpoints(r.runDir)]);
  await vscode.commands.executeCommand('setContext', runFoldersContextKey, uriPaths(runs.map((r) => r.runDir)));
  await vscode.commands.executeCommand('setContext', resumableFoldersContextKey, uriPaths(resumable));
}

export function setTrainingContext(training: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', trainingContextKey, training);
}
