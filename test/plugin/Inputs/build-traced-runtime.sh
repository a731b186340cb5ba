#!/usr/bin/env bash
# Builds the runtime with the rewrite on, for robustness.test:
#   build-traced-runtime.sh "CLANG-WITH-PLUGIN-AND-TRACE" SOURCE-ROOT OUT-DIR
# compiles every runtime/src/*.c as the project's build does (C11, its
# warnings as errors, hidden visibility, position-independent) and archives
# them into OUT-DIR/libpymemcheck-traced.a; then compiles the examples.
set -euo pipefail
cc=$1
src=$2
out=$3
mkdir -p "$out/obj"
flags=(-std=c11 -D_DEFAULT_SOURCE -O2 -g -DNDEBUG -fPIC -fvisibility=hidden
       -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
       -I"$src/runtime/include")
objects=()
for file in "$src"/runtime/src/*.c; do
  object="$out/obj/$(basename "$file" .c).o"
  # shellcheck disable=SC2086 # $cc is a command with its arguments
  $cc "${flags[@]}" -c "$file" -o "$object"
  objects+=("$object")
done
rm -f "$out/libpymemcheck-traced.a"
ar rcs "$out/libpymemcheck-traced.a" "${objects[@]}"
for file in "$src"/examples/*.c; do
  # shellcheck disable=SC2086
  $cc "${flags[@]}" "$file" -o "$out/$(basename "$file" .c)" \
    "$out/libpymemcheck-traced.a" -pthread
done
