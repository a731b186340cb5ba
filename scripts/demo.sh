#!/usr/bin/env bash
# The main job, from a fresh clone on Debian 12: install what is missing,
# build everything (runtime, and the plugin for LLVM 19), then run the
# demo, which exercises the PEP 445 API and shows the debug hooks'
# report and pymalloc's statistics.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
scripts/install-deps.sh
echo "== Building pymemcheck (runtime and Clang 19 plugin) in build/llvm-19"
scripts/build.sh llvm-19 > build/llvm-19.build.log 2>&1 || {
  cat build/llvm-19.build.log >&2
  exit 1
}
echo "== Running build/llvm-19/bin/pep445_demo"
echo
exec build/llvm-19/bin/pep445_demo
