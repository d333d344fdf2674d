// A run's name and notes as the user wrote them in the runs table (notes.json). Only the dashboard writes the
// file, atomically; the trainer never does, so a live run can be renamed. A damaged file reads as no notes (it
// is the user's text, not the run's record; the next edit rewrites it).
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, runNotesLimits, type RunNotes } from '../../protocol/run-events';
import { writeJsonAtomic } from '../io/atomic-write';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

export function readRunNotes(runDir: string): RunNotes {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.notes), 'utf8'));
  } catch {
    return {};
  }
  const record = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const name = text(record.name);
  const notes = text(record.notes);
  return { ...(name ? { name } : {}), ...(notes ? { notes } : {}) };
}

/** Blank text clears the field; a name on several lines or past the limits is an error that says which. */
export function writeRunNotes(runDir: string, notes: RunNotes): void {
  const name = notes.name?.trim();
  if (name && /[\r\n]/.test(name)) throw new Error(`A run's name is one line; got ${JSON.stringify(name.slice(0, 40))}.`);
  for (const key of ['name', 'notes'] as const) {
    const length = notes[key]?.length ?? 0;
    if (length > runNotesLimits[key]) throw new Error(`The run's ${key} has ${length} characters; at most ${runNotesLimits[key]} are kept.`);
  }
  const kept = { ...(name ? { name } : {}), ...(text(notes.notes) ? { notes: notes.notes } : {}) };
  writeJsonAtomic(path.join(runDir, RUN_FILES.notes), kept);
}
