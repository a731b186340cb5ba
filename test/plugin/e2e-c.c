// End to end, C: a program whose allocations are spread over functions,
// macros, a header and loops, compiled with the rewrite and linked with the
// runtime: the tracer records every block at exactly its call site in the
// source, with its function and count, and sees every block freed (the C
// library's frees only reach it when rewritten).  Every free reaches its
// trace entry point with exactly its call site too (FREE, Inputs/free-sites.h
// says how that is seen).
//
// REQUIRES: plugin
// RUN: %clang -std=c11 -D_DEFAULT_SOURCE -I%runtime_include -I%S/Inputs %s -o %t \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %libpymemcheck \
// RUN:   -Wl,--wrap=pymemcheck_free_trace,--wrap=_PyMem_RawFreeTrace \
// RUN:   -Wl,--wrap=_PyMem_FreeTrace,--wrap=_PyObject_FreeTrace
// RUN: %t > %t.out
// RUN: FileCheck %s < %t.out
// RUN: FileCheck %s --check-prefix=FREE < %t.out

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e-helpers.h"
#include "pymemcheck/trace.h"
#include "print-sites.h"
#include "free-sites.h"

// CHECK: sites: 13
// FREE: free-sites: 7
// CHECK-NEXT: {{.*}}Inputs{{/|\\}}e2e-helpers.h:5 PyMem_Malloc allocs=4 frees=4

#define NEW_NODE() PyObject_Malloc(sizeof(struct node))
#define DUP(s) strdup(s)

struct node {
  struct node *next;
  char *name;
};

static struct node *push(struct node *head, const char *name) {
  struct node *n = NEW_NODE();
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyObject_Malloc allocs=3 frees=3
  n->name = DUP(
      name);
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] strdup allocs=3 frees=3
  n->next = head;
  return n;
}

static void drop(struct node *head) {
  while (head) {
    struct node *next = head->next;
    free(head->name);
    // FREE-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] free calls=3
    PyObject_Free(head);
    // FREE-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyObject_Free calls=3
    head = next;
  }
}

static int *numbers(size_t n) {
  int *v = PyMem_New(int, n);
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyMem_Malloc allocs=1 frees=1
  for (size_t i = 0; i < n; i++)
    v[i] = (int)i;
  PyMem_Resize(v, int, 2 * n);
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyMem_Realloc allocs=1 frees=1
  return v;
}

static void raw_and_libc(void) {
  void *r = PyMem_RawCalloc(4, 4);
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyMem_RawCalloc allocs=1 frees=1
  r = PyMem_RawRealloc(r, 64);
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyMem_RawRealloc allocs=1 frees=1
  PyMem_RawFree(r);
  // FREE-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyMem_RawFree calls=1
  void *a = NULL;
  if (posix_memalign(&a, 64, 128) == 0)
    // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] posix_memalign allocs=1 frees=1
    free(reallocarray(a, 4, 64));
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] reallocarray allocs=1 frees=1
  // FREE-NEXT: {{.*}}e2e-c.c:[[@LINE-2]] free calls=1
  char *s = strndup("abcdef", 3);
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] strndup allocs=1 frees=1
  free(s), free(aligned_alloc(16, 32)), free(calloc(2, 2)), free(realloc(NULL, 8));
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] aligned_alloc allocs=1 frees=1
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-2]] calloc allocs=1 frees=1
  // CHECK-NEXT: {{.*}}e2e-c.c:[[@LINE-3]] realloc allocs=1 frees=1
  // FREE-NEXT: {{.*}}e2e-c.c:[[@LINE-4]] free calls=4
}

int main(void) {
  struct node *list = NULL;
  const char *names[] = {"a", "b", "c"};
  for (int i = 0; i < 3; i++)
    list = push(list, names[i]);
  drop(list);
  int *v = numbers(8);
  PyMem_Del(v);
  // FREE-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyMem_Free calls=1
  for (int i = 0; i < 4; i++)
    HELPER_FREE(helper_buffer(16));
  // FREE-NEXT: {{.*}}e2e-c.c:[[@LINE-1]] PyMem_Free calls=4
  raw_and_libc();
  print_sites_by_place();
  print_free_sites();
  return 0;
}
// CHECK-NEXT: free-sites:
// FREE-NOT: {{.}}
