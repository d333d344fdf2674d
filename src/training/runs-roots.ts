// Where run folders live: the thanora.runsFolder setting (relative to the first workspace folder) and each
// thanora.json's `output` folder (relative to that file; the schema's default when absent).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export const experimentGlob = '**/thanora.json';
const excludeGlob = '**/{node_modules,.git,.e2e}/**';
const defaultOutput = 'runs/experiment';

export async function findExperimentFiles(): Promise<vscode.Uri[]> {
  return vscode.workspace.findFiles(experimentGlob, excludeGlob, 100);
}

/** The output folder an experiment file writes its runs to. */
export function experimentOutputFolder(experimentFile: string): string {
  let output = defaultOutput;
  try {
    const json = JSON.parse(fs.readFileSync(experimentFile, 'utf8')) as { output?: unknown };
    if (typeof json.output === 'string' && json.output.length > 0) output = json.output;
  } catch {
    // An unreadable experiment is reported when training starts; its runs folder is then the default.
  }
  return path.resolve(path.dirname(experimentFile), output);
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
  for (const uri of await findExperimentFiles()) roots.add(experimentOutputFolder(uri.fsPath));
  for (const folder of vscode.workspace.workspaceFolders ?? []) roots.add(path.join(folder.uri.fsPath, 'runs'));
  return [...roots];
}
