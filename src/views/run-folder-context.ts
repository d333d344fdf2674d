// Context keys for explorer menus: `resourcePath in thanora.runFolders` marks run folders, so
// "Merge Adapter into Base Model" shows on runs without matching every folder that happens to hold files.
import * as vscode from 'vscode';

export const runFoldersContextKey = 'thanora.runFolders';
export const trainingContextKey = 'thanora.training';

export function setRunFoldersContext(runDirs: readonly string[]): Thenable<unknown> {
  // resourcePath is the URI path: the same as the fs path on POSIX, slash-separated on Windows.
  return vscode.commands.executeCommand('setContext', runFoldersContextKey, runDirs.map((d) => vscode.Uri.file(d).path));
}

export function setTrainingContext(training: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', trainingContextKey, training);
}
