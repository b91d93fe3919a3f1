#!/usr/bin/env node
// Runs the bundled CLI (npm run build writes dist/cli/index.js).
import '../../../dist/cli/index.js'
