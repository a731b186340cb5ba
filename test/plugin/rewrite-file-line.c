// The file and line of a trace call are what __FILE__ and __LINE__ would
// give where the call names its function: a macro's call gets the line of
// the macro's use (its closing parenthesis, as __LINE__ in a macro body), a
// call written in a macro argument the line it is written on, #line is
// honoured, and so are -fmacro-prefix-map and -ffile-prefix-map.
//
// REQUIRES: plugin
// RUN: %clang -fsyntax-only -Xclang -ast-print -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s -DFILE=%s -DRENAMED=renamed.c
// RUN: %clang -fsyntax-only -Xclang -ast-print -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -fmacro-prefix-map=%S=/src %s \
// RUN:   | FileCheck %s -DFILE=/src/rewrite-file-line.c -DRENAMED=renamed.c
// RUN: %clang -fsyntax-only -Xclang -ast-print -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -ffile-prefix-map=%S/= %s \
// RUN:   | FileCheck %s -DFILE=rewrite-file-line.c -DRENAMED=renamed.c

#include <stdlib.h>

#define ALLOC(n) malloc(n)
#define ALLOC_TWICE(n) (free(ALLOC(n)), ALLOC(n))
#define ID(x) x
#define RELEASE free

void *sites(size_t n) {
  void *a = ALLOC(n);
  // CHECK: void *a = pymemcheck_malloc_trace("[[FILE]]", [[@LINE-1]], n);
  void *b = ALLOC(
      n +
      1);
  // CHECK: void *b = pymemcheck_malloc_trace("[[FILE]]", [[@LINE-1]], n + 1);
  void *c = ID(
      malloc(n));
  // CHECK: void *c = pymemcheck_malloc_trace("[[FILE]]", [[@LINE-1]], n);
  void *d = ID(ALLOC(
      n));
  // CHECK: void *d = pymemcheck_malloc_trace("[[FILE]]", [[@LINE-1]], n);
  void *e = ALLOC_TWICE(n);
  // CHECK: void *e = (pymemcheck_free_trace("[[FILE]]", [[@LINE-1]], pymemcheck_malloc_trace("[[FILE]]", [[@LINE-1]], n)) , pymemcheck_malloc_trace("[[FILE]]", [[@LINE-1]], n));
  RELEASE(a);
  // CHECK: pymemcheck_free_trace("[[FILE]]", [[@LINE-1]], a);
  void *f = malloc(
      n);
  // CHECK: void *f = pymemcheck_malloc_trace("[[FILE]]", [[@LINE-2]], n);
  free(b), free(c), free(d), free(e);
#line 500 "renamed.c"
  return f;
}

void after_line_directive(void *p) {
  free(p);
  // CHECK: pymemcheck_free_trace("[[RENAMED]]", 504, p);
}
