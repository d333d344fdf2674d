// Which device a run started from VS Code asks for, and who decided: the setting thanora.device when the user
// set it (anywhere: user, workspace, folder), else the experiment file's `device`, else the schema's "auto".
// The choice and the device the run ended up on are each told once, in the words of the editor.
import type { RunStartEvent } from '../protocol/run-events';
import type { WorkerDevice } from '../protocol/worker-messages';

export interface DeviceChoice {
  device: WorkerDevice;
  /** Where it came from, for the log: 'the setting thanora.device', 'thanora.json', 'the default'. */
  source: string;
  /** Sent to the worker only when the setting decided; otherwise the file's own value applies. */
  override?: WorkerDevice;
}

const devices: readonly string[] = ['auto', 'cuda', 'cpu'];
const isDevice = (value: unknown): value is WorkerDevice => typeof value === 'string' && devices.includes(value);

/** `setting`: the value the user set (undefined when only the default applies); `fileDevice`: the file's `device`. */
export function chooseDevice(setting: unknown, fileDevice: unknown, fileName: string): DeviceChoice {
  if (isDevice(setting)) {
    const overrides = isDevice(fileDevice) && fileDevice !== setting ? `, over ${fileName}'s "${fileDevice}"` : '';
    return { device: setting, source: `the setting thanora.device${overrides}`, override: setting };
  }
  if (isDevice(fileDevice)) return { device: fileDevice, source: fileName };
  return { device: 'auto', source: `the default (neither ${fileName} nor the setting thanora.device names one)` };
}

/** The one line a run's start tells about its device. */
export function describeRunDevice(choice: DeviceChoice, start: Pick<RunStartEvent, 'provider' | 'fallbackReason'>): string {
  const asked = `device ${choice.device} from ${choice.source}`;
  if (start.provider === 'cuda') return `running on the GPU (CUDA); ${asked}`;
  if (start.fallbackReason) return `running on CPU: GPU not available: ${start.fallbackReason}; see README › GPU to set it up (${asked})`;
  return `running on CPU (${asked})`;
}
