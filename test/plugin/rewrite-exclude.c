// trace-exclude-file leaves the calls of files whose __FILE__ name matches a
// glob; trace-exclude-function those of functions whose qualified name
// does.  Both repeat; everything else is still rewritten.
//
// REQUIRES: plugin
// RUN: %clang -fsyntax-only -Xclang -ast-print -I%S/Inputs -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefixes=VENDOR,TESTS,MAIN,LINE
// RUN: %clang -fsyntax-only -Xclang -ast-print -I%S/Inputs -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace '-fplugin-arg-pymemcheck-trace-exclude-file=*/vendor/*' %s \
// RUN:   | FileCheck %s --check-prefixes=NO-VENDOR,TESTS,MAIN,LINE
// RUN: %clang -fsyntax-only -Xclang -ast-print -I%S/Inputs -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace '-fplugin-arg-pymemcheck-trace-exclude-function=test_*' \
// RUN:   '-fplugin-arg-pymemcheck-trace-exclude-function=vendored_?ake' %s \
// RUN:   | FileCheck %s --check-prefixes=NO-VENDOR,NO-TESTS,MAIN,LINE
// RUN: %clang -fsyntax-only -Xclang -ast-print -I%S/Inputs -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace '-fplugin-arg-pymemcheck-trace-exclude-file=*rewrite-exclude.c' %s \
// RUN:   | FileCheck %s --check-prefixes=VENDOR,NO-TESTS,NO-MAIN,LINE
// RUN: %clang -fsyntax-only -Xclang -ast-print -I%S/Inputs -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace '-fplugin-arg-pymemcheck-trace-exclude-file=generated.[ch]' %s \
// RUN:   | FileCheck %s --check-prefixes=VENDOR,TESTS,MAIN,NO-LINE

#include "vendor/vendored.h"

// VENDOR: return pymemcheck_malloc_trace("{{.*}}vendored.h", 5, n);
// NO-VENDOR: return malloc(n);

// MAIN-LABEL: void *test_alloc(
// TESTS: return pymemcheck_calloc_trace("{{.*}}rewrite-exclude.c", [[@LINE+3]], 1, n);
// NO-TESTS: return calloc(1, n);
void *test_alloc(size_t n) {
  return calloc(1, n);
}

// MAIN-LABEL: void *alloc(
// MAIN: return pymemcheck_malloc_trace("{{.*}}rewrite-exclude.c", [[@LINE+3]], n);
// NO-MAIN: return malloc(n);
void *alloc(size_t n) {
  return malloc(n);
}

// The name a pattern sees is the one __FILE__ gives, #line included.
// MAIN-LABEL: void release(
// LINE: pymemcheck_free_trace("generated.c", 100, p);
// NO-LINE: free(p);
void release(void *p) {
#line 100 "generated.c"
  free(p);
}
