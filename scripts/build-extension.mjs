// Bundles the extension host code, the training worker and the dashboard webview with esbuild.
//   node scripts/build-extension.mjs [--only=extension|worker|webview|plan-worker|allocation-webview]... [--production]
// onnxruntime-node stays external: it is a native module shipped in the .vsix's node_modules
// (see .vscodeignore); `vscode` is provided by the editor.
import * as esbuild from 'esbuild';
import * as path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const production = args.includes('--production');
const only = args.filter((a) => a.startsWith('--only=')).map((a) => a.slice('--only='.length));

const common = { bundle: true, sourcemap: true, minify: production, logLevel: 'warning', absWorkingDir: root };
const targets = {
  extension: { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'onnxruntime-node'] },
  worker: { ...common, entryPoints: ['src/worker/training-worker.ts'], outfile: 'dist/worker.js', platform: 'node', format: 'cjs', target: 'node20', external: ['onnxruntime-node'] },
  webview: { ...common, entryPoints: ['webview/src/main.ts'], outfile: 'dist/webview/dashboard.js', platform: 'browser', format: 'iife', target: 'es2022' },
  'plan-worker': { ...common, entryPoints: ['src/worker/plan-worker.ts'], outfile: 'dist/plan-worker.js', platform: 'node', format: 'cjs', target: 'node20', external: ['onnxruntime-node'] },
  'allocation-webview': { ...common, entryPoints: ['webview/src/allocation/main.ts'], outfile: 'dist/webview/allocation.js', platform: 'browser', format: 'iife', target: 'es2022' },
};

const names = only.length ? only : Object.keys(targets);
for (const name of names) {
  if (!targets[name]) throw new Error(`build-extension: unknown target '${name}'; use one of ${Object.keys(targets).join(', ')}`);
}
const results = await Promise.allSettled(names.map((name) => esbuild.build(targets[name])));
let failed = false;
results.forEach((result, i) => {
  if (result.status === 'rejected') {
    failed = true;
    console.error(`build-extension: ${names[i]} failed: ${result.reason.message}`);
  } else {
    console.log(`built ${targets[names[i]].outfile}`);
  }
});
process.exitCode = failed ? 1 : 0;
