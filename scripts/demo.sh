#!/usr/bin/env bash
# The main job, from a fresh clone on Debian 12: install what is missing,
# build everything (runtime, host library, and the plugin for LLVM 19),
# then show pymemcheck at work:
#   0. at compile time: the plugin's GIL analysis on the wordcount
#      extension finds its PyMem_Malloc without the GIL (docs/plugin.md);
#   1. inside CPython: the wordcount extension (examples/wordcount), built
#      with the plugin's trace rewrite and imported into the system's
#      python3, passes its own tests, then its three deliberate bugs are
#      reported with their C lines (docs/host.md);
#   2. standalone: pep445_demo drives the PEP 445 API outside CPython and
#      shows pymalloc's statistics and the debug hooks (docs/runtime.md);
#   3. the finished report: the wordcount run's report written in text,
#      JSON and HTML (tools/pymemcheck-html) into build/demo/ (docs/guide.md).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
scripts/install-deps.sh
echo "== Building pymemcheck (runtime, host library, Clang 19 plugin) in build/llvm-19"
scripts/build.sh llvm-19 > build/llvm-19.build.log 2>&1 || {
  cat build/llvm-19.build.log >&2
  exit 1
}

python=/usr/bin/python3 # the interpreter scripts/build.sh builds against
export PYTHONPATH=build/llvm-19/examples/wordcount/traced
# Prints a command as one would type it, then runs it, stderr merged so
# that the report shows where it happens.  The inner bash, whose own stderr
# is discarded, is the shell that would add an "Aborted" line when CPython
# aborts; the status still comes through.
run() {
  local shown="\$" arg
  for arg in "$@"; do
    case "$arg" in
      *[\ \;\(\)\"]*) shown+=" '$arg'" ;;
      *) shown+=" $arg" ;;
    esac
  done
  echo "$shown"
  bash -c '"$@" 2>&1; exit $?' bash "$@" 2>/dev/null
}

echo
echo "== 0. At compile time: the plugin's GIL analysis (its default job) on"
echo "==    examples/wordcount/wordcount.c"
echo
py_include=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
run clang-19 -fsyntax-only -I"$py_include" -fplugin=build/llvm-19/lib/pymemcheck.so \
  examples/wordcount/wordcount.c

echo
echo "== 1. Inside CPython: examples/wordcount, compiled with"
echo "==    -fplugin-arg-pymemcheck-trace and linked to libpymemcheck-host.so"
echo
echo "\$ export PYTHONPATH=$PYTHONPATH"
echo
echo "-- Its own tests pass with tracing on:"
run "$python" examples/wordcount/test_wordcount.py
echo
echo "-- A leak and a PyMem_Malloc without the GIL, reported with their C lines"
echo "   (the leak report is printed at exit):"
run "$python" -c 'import wordcount; wordcount.leak_summary("hello"); wordcount.scratch_nogil()'
echo
echo "-- The same report in JSON:"
run env PYMEMCHECK=report=json "$python" -c 'import wordcount; wordcount.leak_summary("hello")'
echo
echo "-- A one-byte overflow under CPython's debug hooks, which abort without a"
echo "   C location; pymemcheck names the lines first:"
status=0
run env PYTHONMALLOC=debug "$python" -c 'import wordcount; wordcount.overflow_by_one()' ||
  status=$?
echo "(exit status $status: CPython aborts on a damaged block)"

echo
echo "== 2. Standalone: build/llvm-19/bin/pep445_demo, the PEP 445 API without CPython"
echo
build/llvm-19/bin/pep445_demo
echo "(end of pep445_demo)"

echo
echo "== 3. The finished report of examples/wordcount (its leak and its"
echo "==    PyMem_Malloc without the GIL) in text, JSON and HTML, in build/demo/"
echo
demo_run='import wordcount; wordcount.leak_summary("hello"); wordcount.scratch_nogil()'
rm -rf build/demo
mkdir -p build/demo
# The text report goes to stderr, after the misuse messages it counts.
echo "\$ $python -c '$demo_run' 2> build/demo/report.txt"
"$python" -c "$demo_run" 2> build/demo/report.txt
echo "\$ PYMEMCHECK=report=json:output=build/demo/report.json $python -c '$demo_run' 2> build/demo/stderr.txt"
PYMEMCHECK=report=json:output=build/demo/report.json "$python" -c "$demo_run" 2> build/demo/stderr.txt
# The JSON report counts misuses; their messages are in that run's stderr.
echo "\$ tools/pymemcheck-html build/demo/report.json --messages build/demo/stderr.txt --source-root . -o build/demo/report.html"
"$python" tools/pymemcheck-html build/demo/report.json --messages build/demo/stderr.txt \
  --source-root . -o build/demo/report.html
echo
echo "build/demo/report.txt:"
sed 's/^/  /' build/demo/report.txt
echo
echo "The finished report: open $PWD/build/demo/report.html in a browser"
echo "(text: build/demo/report.txt, JSON: build/demo/report.json)"
