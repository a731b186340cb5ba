// A template's pattern and its instantiations share their source: a call
// or an escape in it is reported once, however many times the template is
// instantiated, in the diagnostics and in SARIF.
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir %t
// RUN: %clangxx -std=c++17 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-sarif=%t/out.sarif -Xclang -verify %s
// RUN: FileCheck %s < %t/out.sarif

#include <Python.h>

extern "C" void lib_set_allocator(void *(*alloc)(size_t));

template <typename T> void fill(T n) {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  PyMem_Free(PyMem_Malloc(sizeof(T) * n)); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}} expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

template <typename T> void install(T) {
  lib_set_allocator(PyMem_Malloc); // expected-warning {{'PyMem_Malloc' needs the GIL, but it is passed here to 'lib_set_allocator', which may call it without the GIL}}
}

void use() {
  fill(1);
  fill(2.0);
  fill('c');
  install(1);
  install(2.0);
}

// CHECK:     "ruleId": "gil-call"
// CHECK:     "ruleId": "gil-call"
// CHECK:     "ruleId": "gil-escape"
// CHECK-NOT: "ruleId"
