// What the host reads from a thanora.json before, and without, validating it: the folders its runs are in and
// the device it asks for. A file being edited is often invalid for a while; its runs must stay listed, so the
// output folder last read from it is remembered, and a file never read whole is searched from its own folder.
import * as fs from 'fs';
import * as path from 'path';

/** The schema's default `output`, relative to the experiment file. */
export const defaultOutput = 'runs/experiment';

export interface ExperimentFileFields {
  /** Folders holding the experiment's runs (the run folders sit one or two levels below). */
  runsRoots: string[];
  /** The file's `device`, when it is readable and names one. */
  device?: string;
  /** Why the file could not be read, when it could not. */
  problem?: string;
}

const lastOutputs = new Map<string, string>();

export function readExperimentFields(experimentFile: string): ExperimentFileFields {
  const file = path.resolve(experimentFile);
  const folder = path.dirname(file);
  let json: { output?: unknown; device?: unknown };
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof json !== 'object' || json === null) throw new Error('not a JSON object');
  } catch (e) {
    // The runs are somewhere below the experiment's folder (the default and every relative `output` are).
    const remembered = lastOutputs.get(file);
    return { runsRoots: remembered && remembered !== folder ? [remembered, folder] : [folder], problem: (e as Error).message };
  }
  const output = path.resolve(folder, typeof json.output === 'string' && json.output.length > 0 ? json.output : defaultOutput);
  lastOutputs.set(file, output);
  return { runsRoots: [output], device: typeof json.device === 'string' ? json.device : undefined };
}
