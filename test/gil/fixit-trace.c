// With the rewrite on, the GIL analysis reports what it reports without
// it, fix-its included: the trace call names its entry point where the
// call named the function, inside the same parentheses, so that the
// fix-it replaces the name and nothing else.
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir %t && cp %s %t/fixit-trace.c
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fdiagnostics-parseable-fixits %t/fixit-trace.c 2> %t/plain.txt
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -fdiagnostics-parseable-fixits \
// RUN:   %t/fixit-trace.c 2> %t/traced.txt
// RUN: diff %t/plain.txt %t/traced.txt
// RUN: FileCheck %s --implicit-check-not=fix-it: < %t/traced.txt
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -Xclang -fixit %t/fixit-trace.c 2>/dev/null
// RUN: FileCheck %s --check-prefix=FIXED < %t/fixit-trace.c

#include <Python.h>

void parenthesised(void) {
  Py_BEGIN_ALLOW_THREADS
  char *p = (PyMem_Malloc)(4);
  if (p)
    p[0] = 1;
  Py_END_ALLOW_THREADS
}
// CHECK: fix-it:"{{.*}}fixit-trace.c":{[[@LINE-5]]:14-[[@LINE-5]]:26}:"PyMem_RawMalloc"
// FIXED: char *p = (PyMem_RawMalloc)(4);

/* Through '*' or '&': no fix-it, with the rewrite or without it. */
void dereferenced(void) {
  Py_BEGIN_ALLOW_THREADS
  char *p = (*PyMem_Malloc)(4);
  if (p)
    p[0] = 1;
  char *q = (&PyMem_Malloc)(4);
  if (q)
    q[0] = 1;
  Py_END_ALLOW_THREADS
}
// FIXED: char *p = (*PyMem_Malloc)(4);
// FIXED: char *q = (&PyMem_Malloc)(4);
