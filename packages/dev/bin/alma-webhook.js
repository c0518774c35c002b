#!/usr/bin/env node
// The `alma-webhook` command. Compiled by `make build` (tsc -b) into dist/.
// Before the AWS SDK loads: Node 20 is supported here for development (Lambda runs nodejs22.x), so the
// SDK's NodeVersionSupportWarning on every `make run` would only be noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
await import("../dist/src/cli/main.js");
