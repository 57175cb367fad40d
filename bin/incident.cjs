#!/usr/bin/env node
'use strict';

// The CLI is TypeScript run in place: register tsx's CommonJS hook, then hand over to it.
require('tsx/cjs');
const { main } = require('../src/client/cli/main.ts');

main(process.argv).then((code) => {
  process.exitCode = code;
});
