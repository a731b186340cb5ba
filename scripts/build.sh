#!/usr/bin/env bash
# Configures and builds one pymemcheck tree under build/NAME.
#   scripts/build.sh NAME [cmake arguments...]
# NAME llvm-14 or llvm-19 builds the runtime and that major's plugin with
# that major's clang; any other NAME takes its compilers from the arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

name=$1
shift
args=(-G Ninja -DPython3_EXECUTABLE=/usr/bin/python3)
case "$name" in
  llvm-[0-9]*)
    major=${name#llvm-}
    args+=(-DCMAKE_C_COMPILER="clang-$major" -DCMAKE_CXX_COMPILER="clang++-$major"
           -DLLVM_DIR="/usr/lib/llvm-$major/lib/cmake/llvm"
           -DClang_DIR="/usr/lib/llvm-$major/lib/cmake/clang")
    ;;
esac

mkdir -p build
cmake -S . -B "build/$name" "${args[@]}" "$@" > "build/$name.configure.log" 2>&1 || {
  cat "build/$name.configure.log" >&2
  exit 1
}
cmake --build "build/$name" -j "$(nproc)"
