// Training and merging run native code on workspace files and write into the workspace: trusted only.
import * as vscode from 'vscode';

export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(`ThanoRA: ${action} is disabled in Restricted Mode: it loads models and data from this workspace and writes files into it. Trust the workspace to enable it.`, 'Manage Workspace Trust')
    .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
