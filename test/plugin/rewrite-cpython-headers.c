// With CPython's own headers, as an extension includes them (-I, as
// setuptools does, or -isystem): the allocation functions and the macros of
// Python.h are rewritten where the extension uses them.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -fsyntax-only -Xclang -ast-print -I%py_include \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s | FileCheck %s
// RUN: %clang -fsyntax-only -Xclang -ast-print -isystem %py_include \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s | FileCheck %s

#define PY_SSIZE_T_CLEAN
#include <Python.h>

// CHECK-LABEL: static PyObject *make_buffer(
static PyObject *make_buffer(Py_ssize_t n) {
  double *w = PyMem_New(double, n);
  // CHECK: double *w = {{.*}}(double *)_PyMem_MallocTrace("{{.*}}rewrite-cpython-headers.c", [[@LINE-1]], (n) * sizeof(double))
  if (w == NULL)
    return PyErr_NoMemory();
  PyMem_Resize(w, double, 2 * n);
  // CHECK: _PyMem_ReallocTrace("{{.*}}rewrite-cpython-headers.c", [[@LINE-1]], (w), (2 * n) * sizeof(double))
  char *raw = PyMem_RawMalloc(16);
  // CHECK: char *raw = _PyMem_RawMallocTrace("{{.*}}rewrite-cpython-headers.c", [[@LINE-1]], 16);
  PyMem_RawFree(raw);
  // CHECK: _PyMem_RawFreeTrace("{{.*}}rewrite-cpython-headers.c", [[@LINE-1]], raw);
  void *o = PyObject_Malloc(32);
  // CHECK: void *o = _PyObject_MallocTrace("{{.*}}rewrite-cpython-headers.c", [[@LINE-1]], 32);
  PyObject_Free(o);
  // CHECK: _PyObject_FreeTrace("{{.*}}rewrite-cpython-headers.c", [[@LINE-1]], o);
  PyMem_Del(w);
  // 3.12's PyMem_Del(p) is PyMem_Free((p)), 3.11's a bare PyMem_Free.
  // CHECK: _PyMem_FreeTrace("{{.*}}rewrite-cpython-headers.c", [[@LINE-2]], {{\(?w\)?}});
  Py_RETURN_NONE;
}

PyObject *entry(PyObject *self, PyObject *arg) {
  (void)self;
  return make_buffer(PyLong_AsSsize_t(arg));
}
