// Plugin arguments: a bad value is an error that names it and the accepted
// ones; refinements without `trace` are a warning, and change nothing.
//
// REQUIRES: plugin
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-families=libc,mem,heap %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FAMILY
// FAMILY: error: pymemcheck: unknown family 'heap' in -fplugin-arg-pymemcheck-trace-families; accepted: libc, raw, mem, obj
//
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-families= %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-FAMILY
// NO-FAMILY: error: pymemcheck: unknown family '' in -fplugin-arg-pymemcheck-trace-families; accepted: libc, raw, mem, obj
//
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-exclude-file= %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=EMPTY-FILE
// EMPTY-FILE: error: pymemcheck: empty pattern in -fplugin-arg-pymemcheck-trace-exclude-file=; give a glob such as '*/vendor/*'
//
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-exclude-function= %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=EMPTY-FUNCTION
// EMPTY-FUNCTION: error: pymemcheck: empty pattern in -fplugin-arg-pymemcheck-trace-exclude-function=; give a glob such as '*/vendor/*'
//
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   '-fplugin-arg-pymemcheck-trace-exclude-file=[z-a]' %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-GLOB
// BAD-GLOB: error: pymemcheck: bad pattern '[z-a]' in -fplugin-arg-pymemcheck-trace-exclude-file=: {{.+}}; accepted: a glob with *, ? and [...]
//
// A flag given a value, or a value-taking argument given none, is unknown.
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace=1 %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FLAG-VALUE
// FLAG-VALUE: error: pymemcheck: unknown plugin argument 'trace=1'; -fplugin-arg-pymemcheck-help lists the accepted ones
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace-families %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-VALUE
// NO-VALUE: error: pymemcheck: unknown plugin argument 'trace-families'; -fplugin-arg-pymemcheck-help lists the accepted ones
//
// RUN: %clang -c %s -o %t.plain.o
// RUN: %clang -c %s -o %t.refined.o -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace-families=mem \
// RUN:   -fplugin-arg-pymemcheck-trace-exclude-function=main 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NO-TRACE
// NO-TRACE: warning: pymemcheck: the trace-* plugin arguments have no effect without -fplugin-arg-pymemcheck-trace
// RUN: cmp %t.plain.o %t.refined.o
//
// Every accepted argument at once, each family named, patterns repeated.
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-families=libc,raw,mem,obj \
// RUN:   '-fplugin-arg-pymemcheck-trace-exclude-file=*/vendor/*' \
// RUN:   '-fplugin-arg-pymemcheck-trace-exclude-file=gen_?.c' \
// RUN:   '-fplugin-arg-pymemcheck-trace-exclude-function=test_*' \
// RUN:   '-fplugin-arg-pymemcheck-trace-exclude-function=[a-c]*' \
// RUN:   -fplugin-arg-pymemcheck-trace-system-headers \
// RUN:   -fplugin-arg-pymemcheck-remarks %s 2>&1 | count 0

#include <stdlib.h>

int main(void) {
  free(malloc(1));
  return 0;
}
