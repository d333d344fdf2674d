// Child process for the merge memory test: `node merge-memory-child.js baseline` loads the merge code and
// reports its peak RSS; `… merge MODEL ADAPTER OUT` also merges (without verification, which runs ONNX
// Runtime sessions that hold their own copies of the model). Prints {"maxRssBytes": n} as its last line.
import { mergePeftAdapter } from '../../src/core/merge/merge-adapter';

async function main(): Promise<void> {
  const [mode, model, adapter, out] = process.argv.slice(2);
  if (mode === 'merge') await mergePeftAdapter(model, adapter, { outDir: out, verify: false });
  else if (mode !== 'baseline') throw new Error(`mode must be baseline or merge, got ${mode}`);
  // maxRSS is in kilobytes.
  console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
