#!/usr/bin/env node
// The headless CLI on the same core as the extension (compiled by `npm ci` / `npm run build`).
require('../out/src/cli/main.js').runCli(process.argv.slice(2));
