// One dashboard webview (the sidebar view or the editor tab): its page, the messages it sends, and the run
// folders it shows, read whole when asked for and then tailed while it is visible, which covers runs started
// here and by the CLI. The run list is the provider's, shared by every session.
import * as vscode from 'vscode';
import * as path from 'path';
import type { PlaygroundRequest, PlaygroundResult } from '../protocol/playground';
import type { ExportChartMessage, GenerateMessage, HostToWebviewMessage, RunSummary, WebviewToHostMessage } from '../protocol/webview-messages';
import { playgroundModels } from '../core/generate/playground-models';
import { MetricsTail, readRunStatus, runIsLive, writeRunNotes } from '../core/run-folder';
import { dashboardHtml, type DashboardLayout } from './dashboard-html';
import { parseWebviewMessage } from './parse-webview-message';

const tailIntervalMs = 1000;

export interface DashboardSessionHost {
  runs(): readonly RunSummary[];
  /** The webview posted `ready`: it wants the run list and the host's state. */
  onReady(session: DashboardSession): Promise<void>;
  /** The playground's prompt, in a worker; the signal cancels it. */
  generate(request: PlaygroundRequest, signal: AbortSignal): Promise<PlaygroundResult>;
  /** A run was renamed, annotated or deleted here: every dashboard gets the new run list. */
  refresh(): Promise<void>;
}

export function dashboardWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

export class DashboardSession implements vscode.Disposable {
  private tails = new Map<string, MetricsTail>();
  private timer?: NodeJS.Timeout;
  /** The playground request in flight; a new one (or closing the view) cancels it. */
  private generation?: AbortController;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly webview: vscode.Webview,
    private readonly visible: () => boolean,
    extensionUri: vscode.Uri,
    layout: DashboardLayout,
    private readonly host: DashboardSessionHost,
  ) {
    webview.options = dashboardWebviewOptions(extensionUri);
    webview.html = dashboardHtml(
      {
        cspSource: webview.cspSource,
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'dashboard.js')).toString(),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dashboard.css')).toString(),
      },
      '',
      layout,
    );
    this.disposables.push(webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
  }

  post(message: HostToWebviewMessage): void {
    void this.webview.postMessage(message);
  }

  /** Visibility changed: tail only while someone can see it. */
  updateTimer(): void {
    const wanted = this.visible() && this.tails.size > 0;
    if (wanted && !this.timer) this.timer = setInterval(() => this.poll(), tailIntervalMs);
    if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.generation?.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw, new Set(this.host.runs().map((r) => r.runDir)));
    if (message) void this.handle(message);
  }

  private async handle(message: WebviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.host.onReady(this);
        break;
      case 'showRuns':
        this.show([message.runDir, ...message.compareWith]);
        break;
      case 'startTraining':
        await vscode.commands.executeCommand('thanora.startTraining');
        break;
      case 'stopTraining':
        await vscode.commands.executeCommand('thanora.stopTraining');
        break;
      case 'newExperiment':
        await vscode.commands.executeCommand('thanora.newExperiment');
        break;
      case 'mergeRun':
        await vscode.commands.executeCommand('thanora.mergeAdapter', vscode.Uri.file(message.runDir));
        break;
      case 'listPlaygroundModels':
        try {
          this.post({ type: 'playgroundModels', runDir: message.runDir, models: playgroundModels(message.runDir) });
        } catch (e) {
          this.post({ type: 'playgroundModels', runDir: message.runDir, models: [], error: (e as Error).message });
        }
        break;
      case 'generate':
        await this.generate(message);
        break;
      case 'setRunNotes':
        try {
          writeRunNotes(message.runDir, { name: message.name, notes: message.notes });
        } catch (e) {
          void vscode.window.showErrorMessage(`ThanoRA: cannot save the notes of ${path.basename(message.runDir)}: ${(e as Error).message}`);
        }
        await this.host.refresh();
        break;
      case 'deleteRun':
        await this.deleteRun(message.runDir);
        break;
      case 'exportChart':
        await this.exportChart(message);
        break;
    }
  }

  private async generate({ requestId, request }: GenerateMessage): Promise<void> {
    // Generating loads the workspace's models and tokenizer with native code, as training does.
    if (!vscode.workspace.isTrusted) {
      this.post({ type: 'generated', requestId, error: 'This workspace is not trusted: the playground runs the models with native code. Trust the workspace to use it.' });
      return;
    }
    this.generation?.abort();
    const abort = (this.generation = new AbortController());
    try {
      this.post({ type: 'generated', requestId, result: await this.host.generate(request, abort.signal) });
    } catch (e) {
      this.post({ type: 'generated', requestId, error: (e as Error).message });
    } finally {
      if (this.generation === abort) this.generation = undefined;
    }
  }

  /** Save as…, opening in the run's folder with "<run>-<chart>.<format>"; then offers to open the file. */
  private async exportChart(message: ExportChartMessage): Promise<void> {
    const suggested = vscode.Uri.file(path.join(message.runDir, `${path.basename(message.runDir)}-${message.chart}.${message.format}`));
    const target = await vscode.window.showSaveDialog({ defaultUri: suggested, filters: message.format === 'png' ? { 'PNG image': ['png'] } : { CSV: ['csv'] }, title: `ThanoRA: export the ${message.chart} chart` });
    if (!target) return;
    const bytes = message.format === 'png' ? Buffer.from(message.data, 'base64') : Buffer.from(message.data, 'utf8');
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
    } catch (e) {
      void vscode.window.showErrorMessage(`ThanoRA: cannot write ${target.fsPath}: ${(e as Error).message}`);
      return;
    }
    const open = 'Open';
    if ((await vscode.window.showInformationMessage(`ThanoRA: saved ${target.fsPath}.`, open)) === open) await vscode.commands.executeCommand('vscode.open', target);
  }

  /** Asks first (modal), refuses a run a process is writing, and moves the folder to the trash (it can be restored);
 * where there is no trash, asks again before deleting it for good. */
  private async deleteRun(runDir: string): Promise<void> {
    const name = path.basename(runDir);
    if (runIsLive(runDir)) {
      void vscode.window.showWarningMessage(`ThanoRA: ${name} is training; stop it before deleting it.`);
      return;
    }
    const remove = 'Move to Trash';
    const choice = await vscode.window.showWarningMessage(`Delete the run ${name}?`, { modal: true, detail: `${runDir} (its checkpoints and merged model too) goes to the trash.` }, remove);
    if (choice !== remove) return;
    try {
      await vscode.workspace.fs.delete(vscode.Uri.file(runDir), { recursive: true, useTrash: true });
    } catch (trash) {
      // A remote workspace (code-server, SSH) may have no trash: deleting for good is asked separately.
      const permanently = 'Delete Permanently';
      const again = await vscode.window.showWarningMessage(`${name} could not be moved to the trash. Delete it permanently?`, { modal: true, detail: `${(trash as Error).message}\nThis cannot be undone.` }, permanently);
      if (again === permanently) {
        try {
          await vscode.workspace.fs.delete(vscode.Uri.file(runDir), { recursive: true, useTrash: false });
        } catch (e) {
          void vscode.window.showErrorMessage(`ThanoRA: cannot delete ${runDir}: ${(e as Error).message}`);
        }
      }
    }
    await this.host.refresh();
  }

  private show(runDirs: string[]): void {
    this.tails = new Map();
    for (const runDir of runDirs) {
      const tail = new MetricsTail(runDir);
      try {
        this.post({ type: 'runData', runDir, events: tail.readNew(), status: readRunStatus(runDir) });
      } catch (e) {
        void vscode.window.showWarningMessage(`ThanoRA: cannot read run ${runDir}: ${(e as Error).message}`);
      }
      this.tails.set(runDir, tail);
    }
    this.updateTimer();
  }

  private poll(): void {
    for (const [runDir, tail] of this.tails) {
      try {
        const events = tail.readNew();
        if (events.length > 0) this.post({ type: 'runEvents', runDir, events });
      } catch {
        // A damaged line was reported when the run was opened; keep showing what was read.
      }
    }
  }
}
