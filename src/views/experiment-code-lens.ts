// A CodeLens at the top of every thanora.json: "Preview Rank Allocation", the cheap look before training.
import * as path from 'path';
import * as vscode from 'vscode';

export const experimentSelector: vscode.DocumentSelector = { scheme: 'file', pattern: '**/thanora.json' };

export class ExperimentCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (path.basename(document.uri.fsPath) !== 'thanora.json') return [];
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, {
        title: '$(graph) Preview Rank Allocation',
        tooltip: "HASI's ranks per task, module and layer, the entropies behind them, parameters and step cost, without training",
        command: 'thanora.previewAllocation',
        arguments: [document.uri],
      }),
    ];
  }
}
