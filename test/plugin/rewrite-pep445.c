// The four functions of each PEP 445 domain, and the CPython macros that
// expand to them, are rewritten into the trace entry points the PEP's
// rejected alternative named (_PyMem_MallocTrace, ...), with the line of
// the macro's use.  trace-families selects domains.
//
// REQUIRES: plugin
// RUN: %clang -std=c11 -I%runtime_include -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefixes=CHECK,RAW,MEM,OBJ
// RUN: %clang -std=c11 -I%runtime_include -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-families=raw,obj %s \
// RUN:   | FileCheck %s --check-prefixes=CHECK,RAW,NO-MEM,OBJ
// RUN: %clang -std=c11 -I%runtime_include -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-families=mem %s \
// RUN:   | FileCheck %s --check-prefixes=CHECK,NO-RAW,MEM,NO-OBJ

#include "pymemcheck/pymem.h"

// CHECK-LABEL: void raw_domain(
void raw_domain(size_t n) {
  void *p = PyMem_RawMalloc(n);
  // RAW: void *p = _PyMem_RawMallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], n);
  // NO-RAW: void *p = PyMem_RawMalloc(n);
  p = PyMem_RawRealloc(p, 2 * n);
  // RAW: p = _PyMem_RawReallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], p, 2 * n);
  PyMem_RawFree(p);
  // RAW: _PyMem_RawFreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], p);
  PyMem_RawFree(PyMem_RawCalloc(n, 4));
  // RAW: _PyMem_RawFreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], _PyMem_RawCallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], n, 4));
  // NO-RAW: PyMem_RawFree(PyMem_RawCalloc(n, 4));
}

// CHECK-LABEL: void mem_domain(
void mem_domain(size_t n) {
  void *p = PyMem_Malloc(n);
  // MEM: void *p = _PyMem_MallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], n);
  // NO-MEM: void *p = PyMem_Malloc(n);
  void *c = PyMem_Calloc(n, 2);
  // MEM: void *c = _PyMem_CallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], n, 2);
  p = PyMem_Realloc(p, n + 1);
  // MEM: p = _PyMem_ReallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], p, n + 1);
  PyMem_Free(c);
  // MEM: _PyMem_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], c);
  PyMem_Free(p);
  // MEM: _PyMem_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], p);
}

// CHECK-LABEL: void mem_macros(
void mem_macros(size_t n) {
  int *a = PyMem_New(int, n);
  // MEM: int *a = {{.*}}(int *)_PyMem_MallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], (n) * sizeof(int))
  // NO-MEM: int *a = {{.*}}(int *)PyMem_Malloc((n) * sizeof(int))
  PyMem_Resize(a, int, 2 * n);
  // MEM: (a) = {{.*}}(int *)_PyMem_ReallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], (a), (2 * n) * sizeof(int))
  int *b = PyMem_NEW(int, n);
  // MEM: int *b = {{.*}}(int *)_PyMem_MallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], (n) * sizeof(int))
  PyMem_RESIZE(b, int, n + 1);
  // MEM: ((b)) = {{.*}}(int *)_PyMem_ReallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], ((b)), ((n + 1)) * sizeof(int))
  void *m = PyMem_MALLOC(n);
  // MEM: void *m = _PyMem_MallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], n);
  m = PyMem_REALLOC(m, n + 2);
  // MEM: m = _PyMem_ReallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], (m), (n + 2));
  PyMem_FREE(m);
  // MEM: _PyMem_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], (m));
  PyMem_DEL(b);
  // MEM: _PyMem_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], (b));
  PyMem_Del(a);
  // MEM: _PyMem_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], a);
  // NO-MEM: PyMem_Free(a);
}

// CHECK-LABEL: void obj_domain(
void obj_domain(size_t n) {
  void *p = PyObject_Malloc(n);
  // OBJ: void *p = _PyObject_MallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], n);
  // NO-OBJ: void *p = PyObject_Malloc(n);
  void *c = PyObject_Calloc(1, n);
  // OBJ: void *c = _PyObject_CallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], 1, n);
  p = PyObject_Realloc(p, n * 2);
  // OBJ: p = _PyObject_ReallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], p, n * 2);
  PyObject_Free(p);
  // OBJ: _PyObject_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], p);
  void *m = PyObject_MALLOC(n);
  // OBJ: void *m = _PyObject_MallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], n);
  m = PyObject_REALLOC(m, n + 1);
  // OBJ: m = _PyObject_ReallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], m, n + 1);
  PyObject_FREE(m);
  // OBJ: _PyObject_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], m);
  PyObject_Del(c);
  // OBJ: _PyObject_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], c);
  PyObject_DEL(PyObject_Malloc(1));
  // OBJ: _PyObject_FreeTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], _PyObject_MallocTrace("{{.*}}rewrite-pep445.c", [[@LINE-1]], 1));
  // NO-OBJ: PyObject_Free(PyObject_Malloc(1));
}
