#!/usr/bin/env bash
# CI check of the promise that a new pipeline is one command: in a scratch copy of the working tree (tracked
# and untracked-but-not-ignored files, so uncommitted work is checked too), installed from the pnpm store
# without network, it runs `make new-plugin NAME=course-reserves` and, with no hand edit, the whole
# `make lint` and `make test`, then a local run: `make run` answers the challenge, `make send
# SAMPLE=course-reserves` (the name as typed) and `make replay` initiate the COURSE_RESERVES pipeline,
# `make executions` lists its execution on its local state machine. The repository itself is never touched.
# About 4 minutes on 2 cores.
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

say "make new-plugin NAME=course-reserves"
out=$(make --no-print-directory new-plugin NAME=course-reserves)
echo "$out"
expect_failure make --no-print-directory new-plugin NAME=course-reserves # refuses to overwrite
grep -q '"path": "packages/plugin-course-reserves"' tsconfig.json
grep -q '"path": "../plugin-course-reserves"' packages/lambda/tsconfig.json
grep -q '"@alma-webhooks/plugin-course-reserves": "workspace:\*"' packages/lambda/package.json
test -L packages/plugin-course-reserves/node_modules/@alma-webhooks/core
test -L packages/lambda/node_modules/@alma-webhooks/plugin-course-reserves
if leftovers=$(grep -rniE 'template_(name|core_range)' packages/plugin-course-reserves); then
  echo "check-scaffold: template tokens left in packages/plugin-course-reserves:" >&2
  echo "$leftovers" >&2
  exit 1
fi

# No hand edit: the scaffolder routed to the plugin (the import and the list entry) and regenerated the
# configuration table.
diff -u "$repo/packages/lambda/src/plugins.ts" packages/lambda/src/plugins.ts || true
grep -qx 'import { courseReservesPlugin } from "@alma-webhooks/plugin-course-reserves";' packages/lambda/src/plugins.ts
grep -qx '  courseReservesPlugin,' packages/lambda/src/plugins.ts
grep -q 'ALMA_COURSE_RESERVES_EXPORT_JOB_NAME' docs/configuration.md

# new-plugin installed the workspace (offline): keep make from installing it again.
touch node_modules/.install-stamp

say "make lint, make test (every suite, with the COURSE_RESERVES plugin in the list), with no hand edit"
make --no-print-directory lint
make --no-print-directory test
node scripts/check-packages.mjs packages/plugin-course-reserves
say "make docs (the API documentation picks the new package up by itself)"
make --no-print-directory docs >/dev/null
grep -q '"name": "@alma-webhooks/plugin-course-reserves"' docs/api/api.json

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
send=$(make --no-print-directory send URL="$url" SAMPLE=course-reserves)
echo "$send"
grep -qE '^200 .*COURSE_RESERVES pipeline initiated\.' <<<"$send"
replay=$(make --no-print-directory replay URL="$url")
echo "$replay"
grep -qE '^course_reserves-1\.json +.*COURSE_RESERVES pipeline initiated\.' <<<"$replay"
executions=$(make --no-print-directory executions)
echo "$executions"
grep -qE 'course_reserves-local.*course-reserves-' <<<"$executions"
# The banner: the plugin is active, on its local state machine, with its job name from its example.
grep -qE '^ +COURSE_RESERVES +starts arn:aws:states:[^ ]+:stateMachine:course_reserves-local' server.log
grep -qE '^ +ALMA_COURSE_RESERVES_EXPORT_JOB_NAME +COURSE_RESERVES Export to Dev1 +\(default\)' server.log
kill -- -"$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=

say "packages/plugin-course-reserves scaffolds, lints and passes every suite with no hand edit, and runs locally (in $scratch)"
cd "$repo"
