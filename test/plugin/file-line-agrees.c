// The rule, checked against the compiler itself: each rewritten call's
// file and line equal what __FILE__ and __LINE__ give when written next to
// the function's name (same macro, same argument), however the call is
// spread over macros and lines, with #line and -fmacro-prefix-map.  This
// program defines the trace entry points itself and compares at run time.
//
// REQUIRES: plugin
// RUN: %clang -std=c11 %s -o %t -fplugin=%plugin -fplugin-arg-pymemcheck-trace
// RUN: %t | FileCheck %s
// RUN: %clang -std=c11 %s -o %t.mapped -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -fmacro-prefix-map=%S=/somewhere/else
// RUN: %t.mapped | FileCheck %s
// CHECK-NOT: mismatch
// CHECK: checked 16 calls

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *want_file;
static int want_line;
static int checked;

static void check(const char *file, int line) {
  checked++;
  if (strcmp(file, want_file) != 0 || line != want_line)
    printf("mismatch: call %d traced as %s:%d, __FILE__:__LINE__ is %s:%d\n",
           checked, file, line, want_file, want_line);
}

// The trace entry points this program is linked with; calls in them are
// not rewritten.
void *pymemcheck_malloc_trace(const char *file, int line, size_t n) {
  check(file, line);
  return malloc(n);
}
void pymemcheck_free_trace(const char *file, int line, void *p) {
  check(file, line);
  free(p);
}

#define MARK() (want_file = __FILE__, want_line = __LINE__)
#define ALLOC(n) (MARK(), malloc(n))
#define ALLOC_AGAIN(n) ALLOC(n)
#define ID(x) x
#define CALL_WITH(mark, fn, n) (mark, fn(n))
#define RELEASE(p) (MARK(), free(p))

int main(void) {
  void *p;
  p = ALLOC(1);
  RELEASE(p);
  p = ALLOC(
      2);
  RELEASE(
      p
  );
  p = ALLOC_AGAIN(
      3);
  RELEASE(p);
  p = ID(ALLOC(
      4));
  RELEASE(p);
  p = ID(
      (MARK(), malloc(5)));
  RELEASE(p);
  p = CALL_WITH(MARK(), malloc,
      6);
  RELEASE(p);
  p = (MARK(), malloc(
      8));
  MARK(), free(p);
#line 1000 "generated.c"
  p = ALLOC(
      7);
  RELEASE(p);
  printf("checked %d calls\n", checked);
  return 0;
}
