// CPython's own inline functions are those of Python.h, of the headers it
// includes, and of its directory: they are taken as documented, not
// analysed.  A project's own Py*-named helpers are analysed, whatever the
// path of the header that defines them holds.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include \
// RUN:   -I%S/Inputs/python-project/include -fplugin=%plugin -Xclang -verify %s
// RUN: %clang -std=c11 -fsyntax-only -I%py_include \
// RUN:   -I%S/Inputs/python-project/include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-api=all -Xclang -verify=expected,all %s
// The same with CPython's headers as system headers, as CMake passes them.
// RUN: %clang -std=c11 -fsyntax-only -isystem %py_include \
// RUN:   -I%S/Inputs/python-project/include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-api=all -Xclang -verify=expected,all %s

#include <Python.h>
#include <structmember.h>
#include "py_helpers.h"

void released(PyObject *o) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  PyMem_RawFree(PyProj_Alloc(4)); // expected-warning {{call to 'PyProj_Alloc' needs the GIL, but the GIL is released here}}
  // expected-note@py_helpers.h:6 {{'PyProj_Alloc' needs the GIL: it calls 'PyMem_Malloc' here}}
  /* Documented as needing the GIL: if its body were analysed, it would be
     found to call nothing that needs it. */
  Py_INCREF(o); // all-warning {{call to 'Py_INCREF' needs the GIL, but the GIL is released here}}
  // all-note@-6 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  (void)Py_SIZE(o);
  Py_END_ALLOW_THREADS
}
