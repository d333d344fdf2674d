// ThanoRA: New Experiment — copies the bundled demo (examples/demo: four byte-level tasks of rising
// complexity and the pretrained byte-level base model) into the workspace, so Start Training has something
// to run right away. Returns the new thanora.json.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export const demoFolderName = 'thanora-demo';

function demoFolder(extensionUri: vscode.Uri): string {
  return path.join(extensionUri.fsPath, 'examples', 'demo');
}

function readDemoConfig(extensionUri: vscode.Uri): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(demoFolder(extensionUri), 'thanora.json'), 'utf8')) as Record<string, unknown>;
}

/** "four byte-level tasks (copy, reverse, sort, add)": what the bundled demo trains, for prompts. */
export function describeDemoTasks(extensionUri: vscode.Uri): string {
  const tasks = (readDemoConfig(extensionUri).tasks as { name: string }[]).map((t) => t.name);
  const count = ['no', 'one', 'two', 'three', 'four', 'five', 'six'][tasks.length] ?? String(tasks.length);
  return `${count} byte-level task${tasks.length === 1 ? '' : 's'} (${tasks.join(', ')})`;
}

export function newExperimentCommand(extensionUri: vscode.Uri) {
  return async (): Promise<vscode.Uri | undefined> => {
    const workspace = vscode.workspace.workspaceFolders?.[0];
    if (!workspace) {
      void vscode.window.showWarningMessage('ThanoRA: open a folder first; the experiment is created inside it.');
      return undefined;
    }
    let target = path.join(workspace.uri.fsPath, demoFolderName);
    for (let i = 2; fs.existsSync(target); i++) target = path.join(workspace.uri.fsPath, `${demoFolderName}-${i}`);
    const demo = demoFolder(extensionUri);
    const demoConfig = readDemoConfig(extensionUri);
    const baseModel = path.resolve(demo, String(demoConfig.baseModel));
    fs.mkdirSync(target, { recursive: true });
    fs.cpSync(path.join(demo, 'data'), path.join(target, 'data'), { recursive: true });
    fs.copyFileSync(baseModel, path.join(target, 'model.onnx'));
    const config: Record<string, unknown> = { ...demoConfig, baseModel: 'model.onnx', output: 'runs' };
    delete config.$schema;
    const file = path.join(target, 'thanora.json');
    fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri, { preview: false });
    return uri;
  };
}
