#!/usr/bin/env node
'use strict';
// A reader that stops early (`samkost invoices --year 2024 | head`) closes the pipe: that ends the
// output, it is not an error to report with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
// The CLI is compiled by `npm run build` (run by `npm ci` through `prepare`).
require('../dist/src/cli/main.js').main(process.argv).then((code) => { process.exitCode = code; });
