#!/usr/bin/env bash
# CI check for `make new-plugin`: copies the working tree (tracked and untracked-but-not-ignored files, so
# uncommitted work is checked too) into a scratch directory, installs from the pnpm store without network,
# scaffolds NAME=example there, and builds, lints, tests and pack-checks the new package. The repository
# itself is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/alma-webhooks-scaffold.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

echo "check-scaffold: copying the working tree to $scratch"
git ls-files -z --cached --others --exclude-standard |
  tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null |
  tar -xf - -C "$scratch"
cd "$scratch"
git init --quiet # Biome reads .gitignore through its VCS integration
# Everything is in the pnpm store already: link it, do not download it.
pnpm install --offline --frozen-lockfile=false --reporter=silent

expect_failure() {
  if "$@" >/dev/null 2>&1; then
    echo "check-scaffold: expected '$*' to fail" >&2
    exit 1
  fi
}
expect_failure make --no-print-directory new-plugin NAME=Bad-Name
expect_failure make --no-print-directory new-plugin NAME=bursar

out=$(make --no-print-directory new-plugin NAME=example)
echo "$out"
grep -q 'import { examplePlugin } from "@alma-webhooks/plugin-example";' <<<"$out"
expect_failure make --no-print-directory new-plugin NAME=example # refuses to overwrite
grep -q '"path": "packages/plugin-example"' tsconfig.json
test -L packages/plugin-example/node_modules/@alma-webhooks/core

pnpm exec tsc -b packages/plugin-example
pnpm exec biome check --error-on-warnings packages/plugin-example tsconfig.json
pnpm --filter @alma-webhooks/plugin-example test
node scripts/check-packages.mjs packages/plugin-example
echo "check-scaffold: packages/plugin-example scaffolds, builds, lints, passes its tests and packs (in $scratch)"
cd "$repo"
