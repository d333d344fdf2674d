// Small files written to a fresh temp folder per test, removed afterwards.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface TempFolder {
  dir: string;
  /** Writes `text` (or JSON Lines from `rows`) at `relative` and returns its absolute path. */
  write(relative: string, text: string): string;
  writeJsonl(relative: string, rows: unknown[]): string;
  remove(): void;
}

export function makeTempFolder(prefix = 'thanora-test-'): TempFolder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const write = (relative: string, text: string) => {
    const file = path.join(dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  return {
    dir,
    write,
    writeJsonl: (relative, rows) => write(relative, rows.map((r) => JSON.stringify(r)).join('\n') + '\n'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
