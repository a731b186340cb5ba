// Every libc row of the call catalog is rewritten into its trace entry
// point, with the call's file and line first and the arguments unchanged;
// trace-families selects which families are.
//
// REQUIRES: plugin
// RUN: %clang -std=c11 -D_DEFAULT_SOURCE -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s | FileCheck %s
// RUN: %clang -std=c11 -D_DEFAULT_SOURCE -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-families=libc %s | FileCheck %s
// RUN: %clang -std=c11 -D_DEFAULT_SOURCE -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-families=raw,mem,obj %s \
// RUN:   | FileCheck %s --check-prefix=OTHERS
// OTHERS-NOT: _trace(

#include <stdlib.h>
#include <string.h>

void every_libc_row(size_t n, const char *s, void *old) {
  void *p = malloc(n);
  // CHECK: void *p = pymemcheck_malloc_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], n);
  void *c = calloc(n, 8);
  // CHECK: void *c = pymemcheck_calloc_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], n, 8);
  void *r = realloc(old, 2 * n);
  // CHECK: void *r = pymemcheck_realloc_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], old, 2 * n);
  char *d = strdup(s);
  // CHECK: char *d = pymemcheck_strdup_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], s);
  char *dn = strndup(s, n);
  // CHECK: char *dn = pymemcheck_strndup_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], s, n);
  void *a = aligned_alloc(64, 64 * n);
  // CHECK: void *a = pymemcheck_aligned_alloc_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], 64, 64 * n);
  void *m;
  int rc = posix_memalign(&m, 32, n);
  // CHECK: int rc = pymemcheck_posix_memalign_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], &m, 32, n);
  void *ra = reallocarray(r, n, 16);
  // CHECK: void *ra = pymemcheck_reallocarray_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], r, n, 16);
  free(p);
  // CHECK: pymemcheck_free_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], p);
  free(c), free(d), free(dn), free(a), free(ra);
  // CHECK: pymemcheck_free_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], c) , pymemcheck_free_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], d)
  if (rc == 0)
    free(m);
  // CHECK: pymemcheck_free_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], m);
}

// Clang's library builtins are the functions they are named after: CodeGen
// emits the same call for both.
// CHECK-LABEL: void every_library_builtin(
void every_library_builtin(size_t n, const char *s, void *old) {
  void *p = __builtin_malloc(n);
  // CHECK: void *p = pymemcheck_malloc_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], n);
  void *c = __builtin_calloc(n, 8);
  // CHECK: void *c = pymemcheck_calloc_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], n, 8);
  void *r = __builtin_realloc(old, 2 * n);
  // CHECK: void *r = pymemcheck_realloc_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], old, 2 * n);
  char *d = __builtin_strdup(s);
  // CHECK: char *d = pymemcheck_strdup_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], s);
  char *dn = __builtin_strndup(s, n);
  // CHECK: char *dn = pymemcheck_strndup_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], s, n);
  __builtin_free(p), __builtin_free(c), __builtin_free(r);
  // CHECK: pymemcheck_free_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], p) , pymemcheck_free_trace("{{.*}}rewrite-libc.c", [[@LINE-1]], c)
  free(d), free(dn);
}
