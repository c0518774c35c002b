#!/usr/bin/env bash
# CI check of the promise that a new pipeline is its own package plus one line in the lambda's plugin list.
# In a scratch copy of the working tree (tracked and untracked-but-not-ignored files, so uncommitted work is
# checked too), installed from the pnpm store without network, it does what a plugin author does:
# `make new-plugin NAME=example` and adds the printed line to packages/lambda/src/plugins.ts; then the whole
# `make test`, `make docs-config`, `make check-config-table`, `make lint`, and a local run: `make run` answers
# the challenge, `make replay` initiates the EXAMPLE pipeline, `make executions` lists its execution on the
# local example state machine. The repository itself is never touched. About 3 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/alma-webhooks-scaffold.XXXXXX")
server_pid=
cleanup() {
  local status=$?
  if [ -n "$server_pid" ]; then kill -- -"$server_pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -f "$scratch/server.log" ]; then
    echo "check-scaffold: the local server's output:" >&2
    tail -n 40 "$scratch/server.log" >&2
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT
started=$SECONDS
say() { echo "check-scaffold [$((SECONDS - started))s]: $*"; }

say "copying the working tree to $scratch"
git ls-files -z --cached --others --exclude-standard |
  tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null |
  tar -xf - -C "$scratch"
cd "$scratch"
git init --quiet # Biome reads .gitignore through its VCS integration
# Everything is in the pnpm store already: link it, do not download it.
pnpm install --offline --frozen-lockfile=false --reporter=silent
touch node_modules/.install-stamp # what `make install` leaves, so the make targets below do not reinstall

expect_failure() {
  if "$@" >/dev/null 2>&1; then
    echo "check-scaffold: expected '$*' to fail" >&2
    exit 1
  fi
}
expect_failure make --no-print-directory new-plugin NAME=Bad-Name
expect_failure make --no-print-directory new-plugin NAME=bursar

say "make new-plugin NAME=example"
out=$(make --no-print-directory new-plugin NAME=example)
echo "$out"
expect_failure make --no-print-directory new-plugin NAME=example # refuses to overwrite
grep -q '"path": "packages/plugin-example"' tsconfig.json
grep -q '"path": "../plugin-example"' packages/lambda/tsconfig.json
grep -q '"@alma-webhooks/plugin-example": "workspace:\*"' packages/lambda/package.json
test -L packages/plugin-example/node_modules/@alma-webhooks/core
test -L packages/lambda/node_modules/@alma-webhooks/plugin-example
if leftovers=$(grep -rniE 'template_(name|core_range)' packages/plugin-example); then
  echo "check-scaffold: template tokens left in packages/plugin-example:" >&2
  echo "$leftovers" >&2
  exit 1
fi

# The one line: the import the scaffolder printed, put among the plugin imports in alphabetical order,
# and the plugin at the end of the deployedPlugins list, as a user would type them.
import_line=$(grep -E '^import \{ examplePlugin \} from "@alma-webhooks/plugin-example";$' <<<"$out")
IMPORT_LINE="$import_line" node --input-type=module -e '
  import { readFileSync, writeFileSync } from "node:fs";
  const file = "packages/lambda/src/plugins.ts";
  const line = process.env.IMPORT_LINE;
  const from = (text) => /from "([^"]+)"/.exec(text)?.[1] ?? "";
  const lines = readFileSync(file, "utf8").split("\n");
  const imports = lines.flatMap((text, i) => (text.startsWith("import ") ? [i] : []));
  const before = imports.find((i) => from(lines[i]) > from(line));
  lines.splice(before ?? imports[imports.length - 1] + 1, 0, line);
  let text = lines.join("\n");
  const list = /(export const deployedPlugins\b[^=]*=\s*\[)([^\]]*)\]/;
  const items = list.exec(text)?.[2];
  if (items === undefined) throw new Error(`no deployedPlugins list in ${file}`);
  const added = items.includes("\n") ? items.replace(/,?\s*$/, ",\n  examplePlugin,\n") : `${items}, examplePlugin`;
  text = text.replace(list, (_, open) => `${open}${added}]`);
  writeFileSync(file, text);
'
diff -u "$repo/packages/lambda/src/plugins.ts" packages/lambda/src/plugins.ts || true
grep -q 'examplePlugin\]' packages/lambda/src/plugins.ts || grep -q '^ *examplePlugin,$' packages/lambda/src/plugins.ts

# new-plugin installed the workspace (offline): keep make from installing it again.
touch node_modules/.install-stamp

# Until `make docs-config`, docs/configuration.md's configuration table lacks the new plugin's settings: that fails
# `make check-config-table` (CI), never `make test`.
if stale=$(make --no-print-directory check-config-table 2>&1); then
  echo "check-scaffold: expected the configuration table to be stale before make docs-config" >&2
  exit 1
fi
grep -q 'is stale: run make docs-config' <<<"$stale"
say "make test (every suite, with the EXAMPLE plugin in the list)"
make --no-print-directory test
say "make docs-config, make check-config-table, make lint"
make --no-print-directory docs-config
make --no-print-directory check-config-table
make --no-print-directory lint
node scripts/check-packages.mjs packages/plugin-example
say "make docs (the API documentation picks the new package up by itself)"
make --no-print-directory docs >/dev/null
grep -q '"name": "@alma-webhooks/plugin-example"' docs/api/api.json

say "make run, make replay, make executions"
port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
url="http://127.0.0.1:$port/"
setsid make --no-print-directory run PORT="$port" >server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  if node packages/dev/dist/src/cli/main.js send --url "$url" --challenge scaffold >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat server.log >&2
    echo "check-scaffold: make run exited" >&2
    exit 1
  fi
  sleep 1
done
grep -q scaffold <<<"$(make --no-print-directory challenge URL="$url" CHALLENGE=scaffold)"
replay=$(make --no-print-directory replay URL="$url")
echo "$replay"
grep -qE '^example-1\.json +.*EXAMPLE pipeline initiated\.' <<<"$replay"
executions=$(make --no-print-directory executions)
echo "$executions"
grep -qE 'example-local.*example-' <<<"$executions"
# The banner: the plugin is active, on its local state machine, with its job name from its example.
grep -qE '^ +EXAMPLE +starts arn:aws:states:[^ ]+:stateMachine:example-local' server.log
grep -qE '^ +ALMA_EXAMPLE_EXPORT_JOB_NAME +EXAMPLE Export to Dev1 +\(default\)' server.log
kill -- -"$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=

say "packages/plugin-example scaffolds, lints, passes every suite with the lambda, and runs locally (in $scratch)"
cd "$repo"
