// Nothing else changes.  With the rewrite off the object file is
// byte-identical to a compile without the plugin, whatever else is asked.
// With it on, it is byte-identical to the same source with each call
// rewritten by hand (macros that pass __FILE__ and __LINE__), at -O0 and
// -O2: the IR differs from the original only at the rewritten calls.  The
// trace entry points the plugin declares itself, when pymemcheck/trace.h
// is not included, are the header's.  And compiles are deterministic.
//
// REQUIRES: plugin
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -std=c11 -I%runtime_include -O2 -g -c %s -o %t/plain.o
// RUN: %clang -std=c11 -I%runtime_include -O2 -g -c %s -o %t/loaded.o -fplugin=%plugin
// RUN: cmp %t/plain.o %t/loaded.o
// RUN: %clang -std=c11 -I%runtime_include -O2 -g -c %s -o %t/remarks.o -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-remarks
// RUN: cmp %t/plain.o %t/remarks.o
//
// RUN: %clang -std=c11 -I%runtime_include -O0 -c %s -o %t/hand0.o -DBY_HAND
// RUN: %clang -std=c11 -I%runtime_include -O0 -c %s -o %t/traced0.o -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace
// RUN: cmp %t/hand0.o %t/traced0.o
// RUN: %clang -std=c11 -I%runtime_include -O2 -c %s -o %t/hand2.o -DBY_HAND
// RUN: %clang -std=c11 -I%runtime_include -O2 -c %s -o %t/traced2.o -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace
// RUN: cmp %t/hand2.o %t/traced2.o
// RUN: %clang -std=c11 -I%runtime_include -O2 -c %s -o %t/undeclared2.o -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -DNO_TRACE_H
// RUN: cmp %t/traced2.o %t/undeclared2.o
//
// RUN: %clang -std=c11 -I%runtime_include -O2 -g -c %s -o %t/again1.o -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace
// RUN: %clang -std=c11 -I%runtime_include -O2 -g -c %s -o %t/again2.o -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace
// RUN: cmp %t/again1.o %t/again2.o

#include <stdlib.h>

#include "pymemcheck/pymem.h"
#ifndef NO_TRACE_H
#include "pymemcheck/trace.h"
#endif

#ifdef BY_HAND
#define malloc(n) pymemcheck_malloc_trace(__FILE__, __LINE__, n)
#define calloc(n, s) pymemcheck_calloc_trace(__FILE__, __LINE__, n, s)
#define free(p) pymemcheck_free_trace(__FILE__, __LINE__, p)
#define PyMem_Malloc(n) _PyMem_MallocTrace(__FILE__, __LINE__, n)
#define PyMem_Realloc(p, n) _PyMem_ReallocTrace(__FILE__, __LINE__, p, n)
#define PyMem_Free(p) _PyMem_FreeTrace(__FILE__, __LINE__, p)
#define PyObject_Malloc(n) _PyObject_MallocTrace(__FILE__, __LINE__, n)
#define PyObject_Free(p) _PyObject_FreeTrace(__FILE__, __LINE__, p)
#endif

struct node {
  struct node *next;
  double value;
};

static struct node *push(struct node *head, double value) {
  struct node *n = PyObject_Malloc(sizeof *n);
  if (n == NULL)
    return head;
  n->next = head;
  n->value = value;
  return n;
}

double sum_and_drop(struct node *head) {
  double s = 0;
  while (head != NULL) {
    struct node *next = head->next;
    s += head->value;
    PyObject_Free(head);
    head = next;
  }
  return s;
}

int *grow(int *v, size_t n) {
  int *w = PyMem_New(int, n);
  if (w == NULL)
    return v;
  PyMem_Resize(w, int, 2 * n);
  PyMem_Free(v);
  return w;
}

double work(size_t n) {
  struct node *list = NULL;
  for (size_t i = 0; i < n; i++)
    list = push(list, (double)i);
  double *tmp = calloc(n, sizeof *tmp);
  free(malloc(n));
  free(tmp);
  return sum_and_drop(list);
}
