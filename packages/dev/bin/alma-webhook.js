#!/usr/bin/env node
// The `alma-webhook` command. Compiled by `make build` (tsc -b) into dist/.
import "../dist/src/cli/main.js";
