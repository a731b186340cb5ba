// C: calls are rewritten wherever they are evaluated: in ordinary, static
// and inline functions, nested in one another, in conditions, loops and
// initializers, in statement expressions, conditional operators, compound
// literals, and in blocks (whose bodies -ast-print does not show, so they
// are checked in the IR).
//
// REQUIRES: plugin
// RUN: %clang -std=gnu11 -fblocks -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s | FileCheck %s
// RUN: %clang -std=gnu11 -fblocks -S -emit-llvm -O0 -o - \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefix=IR

#include <stdlib.h>

extern void use(void *);

// CHECK-LABEL: static void *helper(
static void *helper(size_t n) {
  return malloc(n);
  // CHECK: return pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], n);
}

// CHECK-LABEL: static inline void release(
static inline void release(void *p) {
  free(p);
  // CHECK: pymemcheck_free_trace("{{.*}}", [[@LINE-1]], p);
}

// CHECK-LABEL: inline void *inline_alloc(
inline void *inline_alloc(size_t n) { return calloc(n, 1); }
// CHECK: return pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], n, 1);
extern void *inline_alloc(size_t n);

struct pair { void *a, *b; };

// CHECK-LABEL: void everywhere(
void everywhere(size_t n, int k) {
  free(realloc(malloc(n), 2 * n));
  // CHECK: pymemcheck_free_trace("{{.*}}", [[@LINE-1]], pymemcheck_realloc_trace("{{.*}}", [[@LINE-1]], pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], n), 2 * n));
  void *p = malloc(n), *q = calloc(n, 2);
  // CHECK: void *p = pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], n), *q = pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], n, 2);
  static void *st;
  if (!st && (st = malloc(1)) == NULL)
    return;
  // CHECK: if (!st && (st = pymemcheck_malloc_trace("{{.*}}", [[@LINE-2]], 1)) == ((void *)0))
  while ((p = realloc(p, n)) == NULL && n--)
    ;
  // CHECK: while ((p = pymemcheck_realloc_trace("{{.*}}", [[@LINE-2]], p, n)) == ((void *)0) && n--)
  for (void *it = malloc(4); it != NULL; it = NULL)
    free(it);
  // CHECK: for (void *it = pymemcheck_malloc_trace("{{.*}}", [[@LINE-2]], 4); it != ((void *)0); it = ((void *)0))
  // CHECK-NEXT: pymemcheck_free_trace("{{.*}}", [[@LINE-2]], it);
  do use(malloc(5)); while (0);
  // CHECK: use(pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 5));
  switch (k) {
  case 1:
    use(k > 2 ? malloc(6) : calloc(1, 6));
    // CHECK: use(k > 2 ? pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 6) : pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], 1, 6));
    break;
  default:
    use(p ?: malloc(7));
    // CHECK: use(p ?: pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 7));
  }
  use(({ void *t = malloc(8); t; }));
  // CHECK: void *t = pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 8);
  struct pair pr = {malloc(9), .b = (struct pair){calloc(1, 9), 0}.a};
  // CHECK: struct pair pr = {pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 9), .b = (struct pair){pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], 1, 9), 0}.a};
  use((use(0), malloc(10)));
  // CHECK: use((use(0) , pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 10)));
  use(helper(n)), release(q), use(inline_alloc(n)), use(st), use(pr.a), use(pr.b);
  if (k)
    goto out;
  free(p);
out:
  return;
}

// IR-LABEL: define {{.*}}@with_block(
void with_block(size_t n) {
  void (^b)(void) = ^{
    use(malloc(n));
  };
  b();
}
// IR-LABEL: define internal void @__with_block_block_invoke(
// IR: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef [[#@LINE-5]], i64 noundef
// IR-NOT: @malloc(
