// The worker's playground job: core generateSideBySide on the run the dashboard names.
import { generateSideBySide } from '../core/generate/side-by-side';
import type { GenerateRunner } from './serve-training-requests';

export const runGenerate: GenerateRunner = async (request, onNotice) => {
  const { type: _type, device, threads, ...playground } = request;
  return generateSideBySide(playground, { device: device ?? 'cpu', threads, onNotice });
};
