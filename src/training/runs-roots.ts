// Where run folders live: the thanora.runsFolder setting (relative to the first workspace folder) and each
// thanora.json's `output` folder (relative to that file; the schema's default when absent; see
// experiment-file-fields.ts for a file that does not parse).
import * as path from 'path';
import * as vscode from 'vscode';
import { readExperimentFields } from './experiment-file-fields';

export const experimentGlob = '**/thanora.json';
const excludeGlob = '**/{node_modules,.git,.e2e}/**';

export async function findExperimentFiles(): Promise<vscode.Uri[]> {
  return vscode.workspace.findFiles(experimentGlob, excludeGlob, 100);
}

export function configuredRunsFolder(): string | undefined {
  const setting = vscode.workspace.getConfiguration('thanora').get<string>('runsFolder', '').trim();
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!setting) return undefined;
  if (path.isAbsolute(setting)) return setting;
  return folder ? path.join(folder.uri.fsPath, setting) : undefined;
}

export async function findRunsRoots(): Promise<string[]> {
  const roots = new Set<string>();
  const configured = configuredRunsFolder();
  if (configured) roots.add(configured);
  for (const uri of await findExperimentFiles()) for (const root of readExperimentFields(uri.fsPath).runsRoots) roots.add(root);
  for (const folder of vscode.workspace.workspaceFolders ?? []) roots.add(path.join(folder.uri.fsPath, 'runs'));
  return [...roots];
}
