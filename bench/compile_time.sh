#!/usr/bin/env bash
# Compile time of one large translation unit at -O2, five ways, in one run:
#   plain    clang alone
#   off      clang with pymemcheck.so loaded and no job: the GIL analysis
#            turned off (no-gil-call, no-gil-escape, no-gil-return), no
#            rewrite
#   gil      clang with pymemcheck.so loaded and no arguments: its default
#            job, the GIL analysis
#   on       clang with the rewrite on (-fplugin-arg-pymemcheck-trace) and
#            the GIL analysis off
#   hand     clang alone, on the same program with its calls rewritten by
#            hand as the plugin rewrites them (gen_large_tu.py --hand)
# and the ratios to plain; on/hand is the rewrite's own cost,
# hand/plain that of compiling the traced program (more calls, with more
# arguments, that the optimiser cannot delete as it may malloc and free).
#
#   bench/compile_time.sh [TREE...]      default: llvm-14 llvm-19
#
# Each TREE is a build tree made by scripts/build.sh (or scripts/test.sh):
# its plugin is build/TREE/lib/pymemcheck.so, and its clang that of the LLVM
# major the tree was configured with (LLVM_DIR in its CMakeCache.txt).
# The translation unit comes from bench/gen_large_tu.py, or is INPUT.
# After the timings, one more compile with -fplugin-arg-pymemcheck-gil-stats
# prints the GIL analysis's own figures (functions analysed per second).
#
# Environment:
#   MEASURE    time (default): RUNS compiles per configuration, in rounds
#              of one compile of each, the order rotating from round to
#              round so that drift in the machine's speed hits all three.
#              Prints the medians of CPU time (user + system, which the
#              load of other processes disturbs less than wall time) and of
#              wall time, the ratios of the medians to plain's, and the
#              median, lowest and highest of the per-round CPU ratios to
#              plain: their spread is the noise of the machine at the time.
#              instructions: instructions executed, counted once per
#              configuration by valgrind (cachegrind), which the load of a
#              shared machine does not disturb; about 30 times slower, so
#              use a smaller FUNCTIONS.
#   RUNS       compiles per configuration for MEASURE=time (default 7)
#   FUNCTIONS  size of the translation unit (default 500: about 27,500
#              lines and 4,500 allocation calls)
#   COMPUTE    computing functions per allocating one (default 1: an
#              allocation call every 6 lines; 2: every 10 lines)
#   INPUT      a C file to compile instead (with CPython's include
#              directory on the path, e.g. examples/wordcount/wordcount.c):
#              plain, off and gil only
set -euo pipefail
cd "$(dirname "$0")/.."

measure=${MEASURE:-time}
runs=${RUNS:-7}
functions=${FUNCTIONS:-500}
compute=${COMPUTE:-1}
input=${INPUT:-}
trees=("$@")
[ ${#trees[@]} -eq 0 ] && trees=(llvm-14 llvm-19)
case "$measure" in
  time) ;;
  instructions)
    runs=1
    command -v valgrind > /dev/null || {
      echo "pymemcheck: MEASURE=instructions needs valgrind" >&2
      exit 1
    } ;;
  *) echo "pymemcheck: unknown MEASURE '$measure' (time, instructions)" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Two directories of the same name length: __FILE__ is as long in both.
mkdir "$work/src" "$work/hnd"
if [ -n "$input" ]; then
  tu=$(realpath "$input")
  configs=(plain off gil)
else
  tu=$work/src/large_tu.c
  python3 bench/gen_large_tu.py "$functions" "$compute" > "$tu"
  python3 bench/gen_large_tu.py --hand "$functions" "$compute" > "$work/hnd/large_tu.c"
  configs=(plain off gil on hand)
fi
py_include=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
no_gil="-fplugin-arg-pymemcheck-no-gil-call -fplugin-arg-pymemcheck-no-gil-escape -fplugin-arg-pymemcheck-no-gil-return"
lines=$(wc -l < "$tu")
calls=$(grep -oE '\b(malloc|calloc|realloc|free|strn?dup|PyMem_(Raw)?(Malloc|Calloc|Realloc|Free)|PyObject_(Malloc|Calloc|Realloc|Free|FREE|Del)|PyMem_(New|Resize|FREE|Del))\(' "$tu" | wc -l)

# median, lowest and highest of the numbers on standard input
stats() { sort -g | awk '{ v[NR] = $1 } END {
  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  print m, v[1], v[NR] }'; }

# Runs one compile and prints its cost: "CPU-seconds wall-seconds", or
# 10^9 instructions.
cost() {
  if [ "$measure" = time ]; then
    /usr/bin/time -f '%U %S %e' -o "$work/time" "$@"
    awk '{ print $1 + $2, $3 }' "$work/time"
  else
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 \
      | sed -n 's/.*I *refs: *//p' | tr -d , | awk '{ print $1 / 1e9 }'
  fi
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "pymemcheck: plugin compile time, $(nproc) CPUs ($(uname -m)), $(date -u '+%Y-%m-%d %H:%M')Z, load $(load) (1, 5, 15 min)"
echo "  translation unit: $lines lines, $calls allocation call sites, -O2;" \
     "$([ "$measure" = time ] && echo "$runs rounds" || echo "instructions, one run per configuration")"
if [ "$measure" = time ]; then
  printf '  %-8s %-6s %8s %8s %10s %26s %10s\n' tree config 'CPU s' 'wall s' 'CPU ratio' \
    'per-round CPU: med [lo,hi]' 'wall ratio'
else
  printf '  %-8s %-6s %12s %10s\n' tree config 'instr. (G)' ratio
fi
for tree in "${trees[@]}"; do
  cache=build/$tree/CMakeCache.txt
  major=$(sed -n 's|^LLVM_DIR:[A-Z]*=/usr/lib/llvm-\([0-9]*\)/.*|\1|p' "$cache" 2> /dev/null || true)
  [ -n "$major" ] || major=${tree#llvm-}
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
  base=("$clang" -O2 -std=c11 -I runtime/include -I "$py_include" -c -o "$work/out.o")
  declare -A extra=(
    [plain]="$tu"
    [off]="$tu -fplugin=$plugin $no_gil"
    [gil]="$tu -fplugin=$plugin"
    [on]="$tu -fplugin=$plugin -fplugin-arg-pymemcheck-trace $no_gil"
    [hand]="$work/hnd/large_tu.c -I bench"
  )
  n=${#configs[@]}
  # A warm-up compile (page cache, plugin loading) when timing.
  # shellcheck disable=SC2086 # the extra arguments are meant to split
  [ "$measure" = time ] && "${base[@]}" ${extra[gil]} 2> /dev/null
  for c in "${configs[@]}"; do : > "$work/$c.costs"; done
  for ((r = 0; r < runs; r++)); do
    for ((k = 0; k < n; k++)); do
      c=${configs[$(((r + k) % n))]}
      # shellcheck disable=SC2086
      cost "${base[@]}" ${extra[$c]} >> "$work/$c.costs" 2> /dev/null
    done
  done
  for c in "${configs[@]}"; do
    if [ "$measure" = time ]; then
      read -r cpu _ _ < <(cut -d' ' -f1 "$work/$c.costs" | stats)
      read -r wall _ _ < <(cut -d' ' -f2 "$work/$c.costs" | stats)
      if [ "$c" = plain ]; then
        pcpu=$cpu pwall=$wall
        printf '  %-8s %-6s %8.3f %8.3f\n' "$tree" "$c" "$cpu" "$wall"
      else
        read -r rmed rlo rhi < <(paste -d' ' "$work/$c.costs" "$work/plain.costs" \
          | awk '{ print $1 / $3 }' | stats)
        awk -v t="$tree" -v c="$c" -v cpu="$cpu" -v wall="$wall" -v pc="$pcpu" -v pw="$pwall" \
            -v m="$rmed" -v lo="$rlo" -v hi="$rhi" 'BEGIN {
          printf "  %-8s %-6s %8.3f %8.3f %10.4f %10.4f [%.4f,%.4f] %10.4f\n",
                 t, c, cpu, wall, cpu / pc, m, lo, hi, wall / pw }'
      fi
    else
      i=$(cat "$work/$c.costs")
      [ "$c" = plain ] && pi=$i
      awk -v t="$tree" -v c="$c" -v i="$i" -v p="$pi" 'BEGIN {
        printf "  %-8s %-6s %12.4f %10.5f\n", t, c, i, i / p }'
    fi
  done
  # The rewrite's own cost: the rewrite against the same rewrite by hand.
  if [ -n "$input" ]; then
    :
  elif [ "$measure" = time ]; then
    read -r hcpu _ _ < <(cut -d' ' -f1 "$work/hand.costs" | stats)
    read -r ocpu _ _ < <(cut -d' ' -f1 "$work/on.costs" | stats)
    read -r rmed rlo rhi < <(paste -d' ' "$work/on.costs" "$work/hand.costs" \
      | awk '{ print $1 / $3 }' | stats)
    awk -v t="$tree" -v o="$ocpu" -v h="$hcpu" -v m="$rmed" -v lo="$rlo" -v hi="$rhi" 'BEGIN {
      printf "  %-8s on/hand %25.4f %10.4f [%.4f,%.4f]\n", t, o / h, m, lo, hi }'
  else
    awk -v t="$tree" -v o="$(cat "$work/on.costs")" -v h="$(cat "$work/hand.costs")" 'BEGIN {
      printf "  %-8s on/hand %30.5f\n", t, o / h }'
  fi
  # shellcheck disable=SC2086
  "${base[@]}" ${extra[gil]} -fplugin-arg-pymemcheck-gil-stats 2>&1 \
    | sed -n "s/^pymemcheck: /  $tree /p"
  unset extra
done
echo "  load at the end $(load)"
