// A Rollup plugin for the bundle's cold start on Node 22 (docs/performance.md, "Node 22"): every import of a
// Node built-in in the output becomes a process.getBuiltinModule() of it (Node ≥ 20.16), which returns what
// require() returns, so no chunk imports a built-in's ES module face.
//
// Why: on Node 22 the ES module face of a built-in reads every export of it when it is first imported, and
// some exports are lazy getters that load more of Node: `http`'s WebSocket, CloseEvent and MessageEvent load
// undici (with http2, zlib, assert, web streams), `util`'s parseArgs and diff load their modules, and so on.
// process.getBuiltinModule() returns the same module object without reading them. The SDK's node:http (a dynamic import in
// @smithy/node-http-handler, taken for an http: endpoint) is the heaviest; the static imports of `util`,
// `process`, `os`, `fs/promises` and the others add their own share. Nothing else changes: the bindings are
// the same functions and objects (a built-in's default export is its module object).
//
// `node:crypto` goes one step further: it is required on the first call of one of its functions, not when the
// chunk loads. Loading it costs about 7 ms on Node 22 (37 internal modules), and a GET challenge, the
// configuration and the logger never call it; the first signed POST does (its HMAC). Only functions are
// taken so (LAZY_FUNCTIONS); a chunk importing anything else of crypto requires it up front as before.
//
// It runs before terser, on the code with the banner's `require`, which it removes from a chunk that no longer
// calls require() (CommonJS dependencies do); terser then renames what is left.
// Left as they are: a dependency's own import of `node:module` (Sentry's chunk has one), namespace imports
// (`import * as x`, whose `default` a require() would not give) and every dynamic import but node:http's.

/** The bundle's banner: a `require` for the CommonJS code of dependencies (rollup.config.mjs). */
export const REQUIRE_BANNER =
  'const require = process.getBuiltinModule("node:module").createRequire(import.meta.url);';

/** Built-ins required on the first call of one of their functions, and the functions that may be taken so. */
const LAZY_FUNCTIONS = {
  "node:crypto": new Set([
    "createHash",
    "createHmac",
    "timingSafeEqual",
    "randomInt",
    "randomUUID",
    "randomBytes",
    "getRandomValues",
  ]),
};

/** @returns {import("rollup").Plugin} */
export function builtinsByRequire() {
  return {
    name: "builtins-by-require",
    renderChunk(code) {
      const program = this.parse(code);
      const edits = [];
      for (const node of program.body) {
        if (node.type !== "ImportDeclaration") continue;
        const id = node.source.value;
        if (typeof id !== "string" || !id.startsWith("node:") || id === "node:module") continue;
        const specifiers = node.specifiers;
        if (specifiers.some((s) => s.type === "ImportNamespaceSpecifier")) continue;
        const required = `process.getBuiltinModule(${JSON.stringify(id)})`;
        const named = specifiers
          .filter((s) => s.type === "ImportSpecifier")
          .map((s) => {
            const imported =
              s.imported.type === "Identifier" ? s.imported.name : JSON.stringify(s.imported.value);
            return imported === s.local.name ? imported : `${imported}:${s.local.name}`;
          });
        const byDefault = specifiers.find((s) => s.type === "ImportDefaultSpecifier")?.local.name;
        const lazy = LAZY_FUNCTIONS[id];
        const imports = specifiers.map((s) =>
          s.type === "ImportSpecifier" && s.imported.type === "Identifier" ? s.imported.name : undefined,
        );
        let replacement;
        if (lazy && specifiers.length > 0 && imports.every((name) => name !== undefined && lazy.has(name))) {
          // Each function is a stand-in that requires the built-in when first called, and keeps it.
          const kept = `__lazy_${id.replace(/\W/g, "_")}`;
          replacement =
            `let ${kept};` +
            specifiers
              .map((s, i) => `const ${s.local.name}=(...a)=>(${kept}??=${required}).${imports[i]}(...a);`)
              .join("");
          edits.push({ start: node.start, end: node.end, replacement });
          continue;
        }
        // A bare import only loads the built-in, which has no effect of its own: leave it out, so a chunk
        // loads only the built-ins it uses.
        if (byDefault === undefined && named.length === 0) replacement = "";
        else if (byDefault === undefined) replacement = `const{${named.join(",")}}=${required};`;
        else if (named.length === 0) replacement = `const ${byDefault}=${required};`;
        else replacement = `const ${byDefault}=${required},{${named.join(",")}}=${byDefault};`;
        edits.push({ start: node.start, end: node.end, replacement });
      }
      let out = code;
      for (const { start, end, replacement } of edits.reverse()) {
        out = out.slice(0, start) + replacement + out.slice(end);
      }
      // @smithy/node-http-handler reads `node_http.default ?? node_http`, so the module object serves.
      out = out.replace(
        /\bimport\(\s*(["'])node:http\1\s*\)/g,
        'Promise.resolve().then(() => process.getBuiltinModule("node:http"))',
      );
      // The banner's require is for CommonJS code that calls require() itself; a chunk without any (the
      // webhook chunk: core, the plugins, tsyringe) goes without it, and so without making a require
      // (node:module, import.meta), about 1 ms of a cold start on Node 22.
      // The program parsed above serves: the edits replaced import declarations, which name no `require`, and
      // the banner is its first statement.
      if (code.startsWith(REQUIRE_BANNER) && !callsRequire(program.body.slice(1))) {
        out = out.slice(REQUIRE_BANNER.length).replace(/^\n/, "");
      }
      return out === code ? null : { code: out, map: null };
    },
  };
}

/** Whether the program names `require` anywhere (an identifier, not a word in a comment or a string). */
function callsRequire(node) {
  if (Array.isArray(node)) return node.some(callsRequire);
  if (node === null || typeof node !== "object") return false;
  if (node.type === "Identifier" && node.name === "require") return true;
  return Object.entries(node).some(
    ([key, value]) => key !== "loc" && typeof value === "object" && callsRequire(value),
  );
}
