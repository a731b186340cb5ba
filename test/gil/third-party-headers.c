// Headers other packages install below CPython's include directory are
// theirs, not CPython's: their inline functions are analysed, and what they
// declare is not the C API for gil-api=all.  CPython's own subdirectories
// (cpython/, internal/) stay CPython's.
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir -p %t && cp -R %py_include %t/include
// RUN: cp -R %S/Inputs/python-addon/addon %t/include/addon
// RUN: %clang -std=c11 -fsyntax-only -I%t/include -fplugin=%plugin \
// RUN:   -Xclang -verify %s
// RUN: %clang -std=c11 -fsyntax-only -I%t/include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-api=all -Xclang -verify=expected,all %s

#include <Python.h>
#include <addon/addon.h>

int released(PyObject *o, PyObject **bytes) {
  int n;
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  PyMem_RawFree(PyAddon_New(4)); // expected-warning {{call to 'PyAddon_New' needs the GIL, but the GIL is released here}}
  // expected-note@addon/addon.h:6 {{'PyAddon_New' needs the GIL: it calls 'PyMem_Malloc' here}}
  n = PyAddon_Count();
  Py_INCREF(o); // all-warning {{call to 'Py_INCREF' needs the GIL, but the GIL is released here}}
  // all-note@-5 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  /* Declared in cpython/: still CPython's C API. */
  n += _PyBytes_Resize(bytes, 8); // all-warning {{call to '_PyBytes_Resize' needs the GIL, but the GIL is released here}}
  // all-note@-8 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  Py_END_ALLOW_THREADS
  return n;
}
