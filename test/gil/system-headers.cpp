// Functions defined in system headers are analysed for what they do to
// the GIL (a library's RAII guards, a helper that needs the GIL), but
// nothing is reported inside them.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clangxx -std=c++17 -fsyntax-only -I%py_include -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -Xclang -verify %s

#include <Python.h>
#include <gil_guard.h>
#include <thread>

void worker() {
  acquire_gil held;
  PyMem_Free(PyMem_Malloc(1)); /* the guard took the GIL */
  lib_scratch(1);
}

void misuse(size_t n) {
  release_gil unlocked; // expected-note 3 {{the GIL is released here by the call to 'release_gil::release_gil', which returns without it}}
  PyMem_Free(PyMem_Malloc(n)); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  // expected-warning@-1 {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  lib_alloc(n); // expected-warning {{call to 'lib_alloc' needs the GIL, but the GIL is released here}}
  // expected-note@gil_guard.h:25 {{'lib_alloc' needs the GIL: it calls 'PyMem_Malloc' here}}
}

void start() {
  std::thread t(worker);
  t.join();
}
