#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian 12:
#   installs what is missing, builds five trees and runs the lit suite in
#   each, then prints one line "N passed, N failed".
#
#   llvm-14, llvm-19   runtime and plugin, compiled by that major's clang
#   gcc                runtime compiled by gcc (warnings are errors there too)
#   asan-ubsan         runtime and tests under AddressSanitizer + UBSan
#   tsan               runtime and tests under ThreadSanitizer
#
# Pass tree names to run only those: scripts/test.sh llvm-19 tsan
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
scripts/install-deps.sh || exit 1

trees=("$@")
[ ${#trees[@]} -eq 0 ] && trees=(llvm-14 llvm-19 gcc asan-ubsan tsan)

# lit runs under Debian's python3, which has psutil (install-deps.sh): a
# test that hangs (a lock a forked child inherits held, a lost wakeup) then
# fails after 15 minutes instead of holding the suite until CI's own limit.
# The slowest tests take a minute or two on a loaded 2-core machine.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
timeout=()
if "$python" -c 'import psutil' 2>/dev/null; then
  timeout=(--timeout=900)
else
  echo "pymemcheck: no psutil for $python: lit runs without a per-test timeout" >&2
fi

results=build/test-results
rm -rf "$results"
mkdir -p "$results"
broken_builds=0

for tree in "${trees[@]}"; do
  echo "=== $tree"
  case "$tree" in
    llvm-*) extra=() ;;
    gcc) extra=(-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DPYMEMCHECK_BUILD_PLUGIN=OFF) ;;
    asan-ubsan) extra=(-DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
                       -DPYMEMCHECK_BUILD_PLUGIN=OFF -DPYMEMCHECK_SANITIZE=address,undefined) ;;
    tsan) extra=(-DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
                 -DPYMEMCHECK_BUILD_PLUGIN=OFF -DPYMEMCHECK_SANITIZE=thread) ;;
    *) echo "pymemcheck: unknown tree '$tree' (llvm-14, llvm-19, gcc, asan-ubsan, tsan)" >&2
       exit 2 ;;
  esac
  if ! scripts/build.sh "$tree" "${extra[@]}"; then
    echo "pymemcheck: the $tree tree did not build" >&2
    broken_builds=$((broken_builds + 1))
    continue
  fi
  lit=$(sed -n 's/^PMC_LIT_PY:FILEPATH=//p' "build/$tree/CMakeCache.txt")
  "$python" "$lit" -sv "${timeout[@]}" --xunit-xml-output="$results/$tree.xml" "build/$tree/test"
done

shopt -s nullglob
exec "$python" scripts/summarize-lit.py --broken-builds "$broken_builds" "$results"/*.xml
