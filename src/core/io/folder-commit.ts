// Outputs made of several files (a checkpoint, a merge: model, data files, adapter, report) are built in a
// staging folder beside their final place and then swapped in, so the final folder holds one complete set or
// the previous one, never a mix. POSIX has no atomic swap of two folders, so the previous version is renamed
// aside (`.old-<pid>-…`), the new one renamed in, and the old one removed; a process killed between the two
// renames leaves the old version under its aside name, which cleanDeadTemps (temp-names.ts) puts back.
import * as fs from 'fs';
import * as path from 'path';
import { describeFileError, ensureFolder, errnoOf } from './file-errors';
import { cleanDeadTemps, tempName } from './temp-names';

/** A new, empty staging folder for `final` (after clearing what dead writers of `final` left). */
export function stageFolder(final: string): string {
  const parent = path.dirname(final);
  ensureFolder(parent);
  cleanDeadTemps(parent, path.basename(final));
  const staged = tempName(final);
  try {
    fs.mkdirSync(staged);
  } catch (e) {
    throw describeFileError(e, staged, 'create the folder');
  }
  return staged;
}

/** Replaces `final` by `staged` (both in one parent folder). */
export function commitFolder(staged: string, final: string): void {
  const aside = tempName(final, 'old');
  let moved = false;
  try {
    fs.renameSync(final, aside);
    moved = true;
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw describeFileError(e, final, 'replace');
  }
  try {
    fs.renameSync(staged, final);
  } catch (e) {
    if (moved) fs.renameSync(aside, final);
    throw describeFileError(e, final, 'replace');
  }
  if (moved) fs.rmSync(aside, { recursive: true, force: true });
}

/** Removes a staging folder that will not be committed. */
export function discardFolder(staged: string): void {
  fs.rmSync(staged, { recursive: true, force: true });
}
