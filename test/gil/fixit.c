// The Raw-domain fix-it: offered where a block's allocation and all of its
// frees are in view, and only there; applied with -fixit, the code
// compiles and no longer warns.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fdiagnostics-parseable-fixits %s 2>&1 | FileCheck %s --implicit-check-not=fix-it:
// RUN: rm -rf %t && mkdir %t && cp %s %t/fixit.c
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -fixit %t/fixit.c 2>/dev/null
// RUN: FileCheck %s --check-prefix=FIXED < %t/fixit.c
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin %t/fixit.c 2>&1 \
// RUN:   | FileCheck %s --check-prefix=AFTER --implicit-check-not=warning:

#include <Python.h>
#include <string.h>

void scratch(size_t n) {
  Py_BEGIN_ALLOW_THREADS
  char *buf = PyMem_Malloc(n);
  if (buf != NULL) {
    memset(buf, 0, n);
    buf = PyMem_Realloc(buf, 2 * n);
  }
  PyMem_Free(buf);
  Py_END_ALLOW_THREADS
}
// CHECK: fix-it:"{{.*}}fixit.c":{[[@LINE-8]]:15-[[@LINE-8]]:27}:"PyMem_RawMalloc"
// CHECK: fix-it:"{{.*}}fixit.c":{[[@LINE-6]]:11-[[@LINE-6]]:24}:"PyMem_RawRealloc"
// CHECK: fix-it:"{{.*}}fixit.c":{[[@LINE-5]]:3-[[@LINE-5]]:13}:"PyMem_RawFree"
// FIXED: char *buf = PyMem_RawMalloc(n);
// FIXED: buf = PyMem_RawRealloc(buf, 2 * n);
// FIXED: PyMem_RawFree(buf);

/* Objects too, when the block is only ever freed here. */
void objects(void) {
  Py_BEGIN_ALLOW_THREADS
  double *v = PyObject_Malloc(8 * sizeof *v);
  v[0] = 1.0;
  PyObject_Free(v);
  Py_END_ALLOW_THREADS
}
// CHECK: fix-it:"{{.*}}fixit.c":{[[@LINE-5]]:15-[[@LINE-5]]:30}:"PyMem_RawMalloc"
// CHECK: fix-it:"{{.*}}fixit.c":{[[@LINE-4]]:3-[[@LINE-4]]:16}:"PyMem_RawFree"
// FIXED: double *v = PyMem_RawMalloc(8 * sizeof *v);

/* No fix-it: the block leaves the function, so a free is out of view. */
void *returned(size_t n) {
  void *p;
  Py_BEGIN_ALLOW_THREADS
  p = PyMem_Malloc(n);
  Py_END_ALLOW_THREADS
  return p;
}

char *stored;
void stored_elsewhere(size_t n) {
  Py_BEGIN_ALLOW_THREADS
  char *p = PyMem_Malloc(n);
  stored = p;
  Py_END_ALLOW_THREADS
}

void keep(void *);
void passed_to_our_code(size_t n) {
  Py_BEGIN_ALLOW_THREADS
  char *p = PyMem_Malloc(n);
  keep(p);
  Py_END_ALLOW_THREADS
}

void freed_from_a_parameter(void *given) {
  Py_BEGIN_ALLOW_THREADS
  PyMem_Free(given);
  Py_END_ALLOW_THREADS
}

/* Spelled through a macro: the macro's text is not ours to change. */
void through_macro(void) {
  Py_BEGIN_ALLOW_THREADS
  int *v = PyMem_New(int, 4);
  PyMem_Free(v);
  Py_END_ALLOW_THREADS
}

// The fixed file still warns where no fix-it was offered, and only there.
// AFTER: fixit.c:{{[0-9]+}}:7: warning: call to 'PyMem_Malloc'
// AFTER: fixit.c:{{[0-9]+}}:13: warning: call to 'PyMem_Malloc'
// AFTER: fixit.c:{{[0-9]+}}:13: warning: call to 'PyMem_Malloc'
// AFTER: fixit.c:{{[0-9]+}}:3: warning: call to 'PyMem_Free'
// AFTER: fixit.c:{{[0-9]+}}:12: warning: call to 'PyMem_Malloc'
// AFTER: fixit.c:{{[0-9]+}}:3: warning: call to 'PyMem_Free'
