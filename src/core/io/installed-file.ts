// Files that ship at the package root (the experiment schema, the training-job templates). Compiled code sits a
// few folders deeper (out/src/…, dist/), so look upwards from here.
import * as fs from 'fs';
import * as path from 'path';

export function installedPath(relativePath: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relativePath);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${relativePath} in any folder above ${__dirname}; the installation is incomplete`);
  }
}
