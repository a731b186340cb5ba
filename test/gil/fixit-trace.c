// With the rewrite on, the GIL analysis reports what it reports without
// it, fix-its and their notes included: the trace call names its entry
// point where the call named the function, inside the same parentheses,
// so that the fix-it replaces the name and nothing else; and the block a
// trace call frees or passes on is its argument after the file and line.
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
//
// And fixit.c's cases, fix-it by fix-it:
// RUN: cp %S/fixit.c %t/fixit.c
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fdiagnostics-parseable-fixits %t/fixit.c 2> %t/plain-fixit.txt
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -fdiagnostics-parseable-fixits \
// RUN:   %t/fixit.c 2> %t/traced-fixit.txt
// RUN: diff %t/plain-fixit.txt %t/traced-fixit.txt

#include <Python.h>
#include <string.h>

void freed(void) {
  Py_BEGIN_ALLOW_THREADS
  char *p = PyMem_Malloc(4);
  p = PyMem_Realloc(p, 8);
  PyMem_Free(p);
  Py_END_ALLOW_THREADS
}
// CHECK: fix-it:"{{.*}}fixit-trace.c":{[[@LINE-5]]:13-[[@LINE-5]]:25}:"PyMem_RawMalloc"
// CHECK: fix-it:"{{.*}}fixit-trace.c":{[[@LINE-5]]:7-[[@LINE-5]]:20}:"PyMem_RawRealloc"
// CHECK: fix-it:"{{.*}}fixit-trace.c":{[[@LINE-5]]:3-[[@LINE-5]]:13}:"PyMem_RawFree"
// CHECK: note: 'p' is allocated and freed only in this function: 'PyMem_RawMalloc', 'PyMem_RawRealloc' and 'PyMem_RawFree' do not need the GIL
// FIXED: char *p = PyMem_RawMalloc(4);
// FIXED: p = PyMem_RawRealloc(p, 8);
// FIXED: PyMem_RawFree(p);

/* The C library's calls keep no block, rewritten (strdup) or not. */
void copied(void) {
  Py_BEGIN_ALLOW_THREADS
  char *p = PyMem_Malloc(4);
  memset(p, 'a', 3);
  p[3] = 0;
  free(strdup(p));
  PyMem_Free(p);
  Py_END_ALLOW_THREADS
}
// CHECK: fix-it:"{{.*}}fixit-trace.c":{[[@LINE-7]]:13-[[@LINE-7]]:25}:"PyMem_RawMalloc"
// CHECK: fix-it:"{{.*}}fixit-trace.c":{[[@LINE-4]]:3-[[@LINE-4]]:13}:"PyMem_RawFree"

void parenthesised(void) {
  Py_BEGIN_ALLOW_THREADS
  char *p = (PyMem_Malloc)(4);
  if (p)
    p[0] = 1;
  (PyMem_Free)(p);
  Py_END_ALLOW_THREADS
}
// CHECK: fix-it:"{{.*}}fixit-trace.c":{[[@LINE-6]]:14-[[@LINE-6]]:26}:"PyMem_RawMalloc"
// CHECK: fix-it:"{{.*}}fixit-trace.c":{[[@LINE-4]]:4-[[@LINE-4]]:14}:"PyMem_RawFree"
// FIXED: char *p = (PyMem_RawMalloc)(4);
// FIXED: (PyMem_RawFree)(p);

/* Through '*' or '&': no fix-it, with the rewrite or without it. */
void dereferenced(void) {
  Py_BEGIN_ALLOW_THREADS
  char *p = (*PyMem_Malloc)(4);
  if (p)
    p[0] = 1;
  char *q = (&PyMem_Malloc)(4);
  if (q)
    q[0] = 1;
  PyMem_Free(p);
  PyMem_Free(q);
  Py_END_ALLOW_THREADS
}
// FIXED: char *p = (*PyMem_Malloc)(4);
// FIXED: char *q = (&PyMem_Malloc)(4);
// FIXED: PyMem_Free(p);
// FIXED: PyMem_Free(q);
