// `thanora import`: a Hugging Face model folder → an ONNX model the engine trains, weights referenced from the
// safetensors files (or hard-linked, or converted once for --dtype); with --experiment, a whole new
// experiment folder (model, example data, thanora.json).
import * as path from 'path';
import { createHfExperiment } from '../../core/experiment/hf-experiment';
import { resolveTargets } from '../../core/lora/resolve-targets';
import { ImportDtype, importHfModel } from '../../core/modelgen/import-hf-model';
import { WrittenImport, writeImportedModel } from '../../core/modelgen/write-imported-model';
import { readModelFile } from '../../core/onnx/model-file';
import { UsageError } from '../cli-error';
import type { CliCommand } from '../main';
import { parseOptions } from '../parse-options';

const size = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

function printWritten(written: WrittenImport, className: string): void {
  console.log(`imported ${className} → ${written.file}`);
  console.log(`  ${written.parameters.toLocaleString('en-US')} parameters`);
  for (const w of written.weightFiles) console.log(`  weights: ${w.location} (${w.how}, ${size(w.bytes)})`);
  if (written.copied.length) console.log(`  copied beside it: ${written.copied.join(', ')}`);
  const modules = resolveTargets(readModelFile(written.file, { loadExternalData: false }), 'all-linear');
  const kinds = [...new Set(modules.map((m) => m.peftName.replace(/\.\d+\./g, '.N.')))];
  console.log(`  LoRA targets ("all-linear", PEFT names): ${modules.length} modules: ${kinds.join(', ')}`);
}

function dtypeOption(value: unknown): ImportDtype {
  if (value === undefined) return 'float32';
  if (value !== 'float32' && value !== 'float16') throw new UsageError(`--dtype must be float32 or float16, got '${value}'`);
  return value;
}

export const importCommand: CliCommand = {
  summary: 'import a Hugging Face model folder (config.json + safetensors) as an ONNX model to train',
  usage:
    'thanora import <hf-folder> [--out model.onnx] [--dtype float32|float16]\n' +
    '       thanora import <hf-folder> --experiment DIR [--dtype float32|float16]',
  async run(args) {
    const { values, positionals } = parseOptions(args, { out: { type: 'string' }, dtype: { type: 'string' }, experiment: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError(`expected one Hugging Face model folder, got ${positionals.length}`);
    const [folder] = positionals;
    const dtype = dtypeOption(values.dtype);
    let shown = -1;
    const onProgress = (done: number, total: number) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth > shown) console.error(`converting weights to ${dtype}: ${10 * tenth}%`);
      shown = tenth;
    };
    if (values.experiment !== undefined) {
      if (values.out !== undefined) throw new UsageError('--experiment writes the model into DIR/model; leave out --out');
      const created = await createHfExperiment(folder, values.experiment as string, { dtype, onProgress });
      printWritten(created.model, created.className);
      console.log(`experiment: ${created.experimentFile} (example tasks in ${created.dataFormat} format; replace them with your data)`);
      console.log(`train it: npx thanora train ${path.relative(process.cwd(), created.experimentFile) || created.experimentFile}`);
      return;
    }
    const out = (values.out as string | undefined) ?? path.join(folder, 'model.onnx');
    const imported = importHfModel(folder, { dtype });
    printWritten(await writeImportedModel(imported, out, { onProgress }), imported.className);
  },
};
