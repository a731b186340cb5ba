// With the rewrite on, the analysis still runs (after it) and names the
// calls as written, not their trace entry points.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%runtime_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -Xclang -verify %s
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%runtime_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -Xclang -ast-print %s 2>/dev/null | FileCheck %s

#include <Python.h>

void released(void) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  PyMem_Free(NULL); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}
// CHECK: _PyMem_FreeTrace("{{.*}}trace-and-gil.c", 14, {{.*}});
