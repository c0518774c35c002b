// Bundles the tsc output of the two Lambda entry points into dist/webhook.mjs and dist/ping.mjs.
// Sentry stays behind a dynamic import of src/sentry-sdk.ts, so it lands in its own chunk
// (chunks/sentry-sdk-*.mjs) and is loaded only when SENTRY_DSN is set. Powertools Metrics likewise, behind
// src/metrics-sdk.ts (chunks/metrics-sdk-*.mjs), loaded at start-up only when POWERTOOLS_METRICS_NAMESPACE is set.
import commonjs from "@rollup/plugin-commonjs";
import json from "@rollup/plugin-json";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import terser from "@rollup/plugin-terser";
import { builtinsByRequire, REQUIRE_BANNER } from "./scripts/builtins-by-require.mjs";

export default {
  input: {
    webhook: "dist/src/handlers/webhook.js",
    ping: "dist/src/handlers/ping.js",
  },
  output: {
    dir: "dist",
    format: "es",
    entryFileNames: "[name].mjs",
    chunkFileNames: "chunks/[name]-[hash].mjs",
    sourcemap: false,
    // Some CommonJS dependencies call require() for Node built-ins; ESM has no require, so make one. node:module
    // comes from process.getBuiltinModule (Node ≥ 20.16), not an import: on Node 22 its ES module face would
    // read every export, the SourceMap getter among them.
    // A chunk that has no require() left once its built-ins are taken goes without it (builtins-by-require).
    banner: REQUIRE_BANNER,
  },
  plugins: [
    nodeResolve({ exportConditions: ["node", "import", "default"], preferBuiltins: true }),
    commonjs({ ignoreDynamicRequires: true }),
    json(),
    // Built-ins by require(), not by their ES module face: see scripts/builtins-by-require.mjs.
    builtinsByRequire(),
    // Minified, so a cold start reads and pre-parses less (see docs/performance.md). Names are kept:
    // error names and stack traces stay readable in the logs and in Sentry.
    terser({
      ecma: 2022,
      module: true,
      keep_classnames: true,
      keep_fnames: true,
      // ascii_only: a chunk that is all ASCII is read and parsed as a one-byte string; one "…" in the webhook
      // chunk made all of it two-byte (about 0.5 ms of a cold start's import on Node 22). Strings and
      // regular expressions keep their meaning (\u escapes).
      format: { comments: false, ascii_only: true },
    }),
  ],
  onwarn(warning, warn) {
    // OpenTelemetry and the SDK use `this` at module top level and have benign circular imports.
    if (warning.code === "THIS_IS_UNDEFINED" || warning.code === "CIRCULAR_DEPENDENCY") return;
    warn(warning);
  },
};
