#!/usr/bin/env bash
# Compile time of one large translation unit at -O2, three ways, in one run:
#   plain    clang alone
#   off      clang with pymemcheck.so loaded, no plugin arguments
#   on       clang with the rewrite on (-fplugin-arg-pymemcheck-trace)
# and the ratios off/plain and on/plain.
#
#   bench/compile_time.sh [TREE...]      default: llvm-14 llvm-19
#
# Each TREE is a build tree made by scripts/build.sh (or scripts/test.sh);
# its plugin is build/TREE/lib/pymemcheck.so and its clang that major's.
# The translation unit comes from bench/gen_large_tu.py.
#
# Environment:
#   MEASURE    time (default): median CPU time (user + system) of RUNS
#              compiles per configuration, the configurations alternating in
#              a rotating order so that drift in the machine's speed hits all
#              three;
#              instructions: instructions executed, counted once per
#              configuration by valgrind (cachegrind), which the load of a
#              shared machine does not disturb; about 30 times slower.
#   RUNS       compiles per configuration for MEASURE=time (default 7)
#   FUNCTIONS  size of the translation unit (default 500: about 27,500
#              lines and 4,500 allocation calls)
#   COMPUTE    computing functions per allocating one (default 1: an
#              allocation call every 6 lines; 2: every 10 lines)
set -euo pipefail
cd "$(dirname "$0")/.."

measure=${MEASURE:-time}
runs=${RUNS:-7}
functions=${FUNCTIONS:-500}
compute=${COMPUTE:-1}
trees=("$@")
[ ${#trees[@]} -eq 0 ] && trees=(llvm-14 llvm-19)
case "$measure" in
  time) unit=s ;;
  instructions)
    unit=G
    runs=1
    command -v valgrind > /dev/null || {
      echo "pymemcheck: MEASURE=instructions needs valgrind" >&2
      exit 1
    } ;;
  *) echo "pymemcheck: unknown MEASURE '$measure' (time, instructions)" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tu=$work/large_tu.c
python3 bench/gen_large_tu.py "$functions" "$compute" > "$tu"
lines=$(wc -l < "$tu")
calls=$(grep -oE '\b(malloc|calloc|realloc|free|strn?dup|PyMem_(Raw)?(Malloc|Calloc|Realloc|Free)|PyObject_(Malloc|Calloc|Realloc|Free|FREE|Del)|PyMem_(New|Resize|FREE|Del))\(' "$tu" | wc -l)

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Runs one compile and prints its cost: CPU seconds or 10^9 instructions.
cost() {
  if [ "$measure" = time ]; then
    /usr/bin/time -f '%U %S' -o "$work/time" "$@"
    awk '{ print $1 + $2 }' "$work/time"
  else
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 \
      | sed -n 's/.*I *refs: *//p' | tr -d , | awk '{ print $1 / 1e9 }'
  fi
}

echo "pymemcheck: plugin compile time, $(nproc) CPUs ($(uname -m)), $(date -u +%Y-%m-%d), load $(cut -d' ' -f1 /proc/loadavg)"
echo "  translation unit: $lines lines, $calls allocation call sites, -O2;" \
     "$measure, $([ "$measure" = time ] && echo "median of $runs runs" || echo "one run") per configuration"
printf '  %-8s %10s %10s %10s %9s %9s\n' tree plain off on off/plain on/plain
for tree in "${trees[@]}"; do
  major=${tree#llvm-}
  clang=/usr/lib/llvm-$major/bin/clang
  plugin=build/$tree/lib/pymemcheck.so
  if [ ! -x "$clang" ] || [ ! -f "$plugin" ]; then
    echo "pymemcheck: $tree: need $clang and $plugin; run scripts/build.sh $tree first" >&2
    exit 1
  fi
  if [ "$measure" = instructions ]; then
    # Valgrind 3.19 cannot read the debug information clang 19 writes.
    objcopy --strip-debug "$plugin" "$work/pymemcheck-$tree.so"
    plugin=$work/pymemcheck-$tree.so
  fi
  base=("$clang" -O2 -std=c11 -I runtime/include -c "$tu" -o "$work/out.o")
  declare -A extra=(
    [plain]=""
    [off]="-fplugin=$plugin"
    [on]="-fplugin=$plugin -fplugin-arg-pymemcheck-trace"
  )
  configs=(plain off on)
  for c in "${configs[@]}"; do
    : > "$work/$c.costs"
    # A warm-up compile (page cache, plugin loading) when timing.
    # shellcheck disable=SC2086 # the extra arguments are meant to split
    [ "$measure" = time ] && "${base[@]}" ${extra[$c]}
  done
  for ((r = 0; r < runs; r++)); do
    for ((k = 0; k < 3; k++)); do
      c=${configs[$(((r + k) % 3))]}
      # shellcheck disable=SC2086
      cost "${base[@]}" ${extra[$c]} >> "$work/$c.costs"
    done
  done
  plain=$(median < "$work/plain.costs")
  off=$(median < "$work/off.costs")
  on=$(median < "$work/on.costs")
  awk -v t="$tree" -v p="$plain" -v f="$off" -v o="$on" -v u="$unit" 'BEGIN {
    printf "  %-8s %9.3f%s %9.3f%s %9.3f%s %9.4f %9.4f\n", t, p, u, f, u, o, u, f / p, o / p }'
  unset extra
done
