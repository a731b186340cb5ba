// A variable's __attribute__((cleanup(f))) calls f where its scope ends:
// f may give the GIL back or need it.  Clang's CFG has these calls from
// clang 18 on; clang 14's leaves them out, so its analysis cannot see them.
//
// REQUIRES: plugin, cpython-headers, llvm19
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s

#include <Python.h>

static void end_threads(PyThreadState **saved) { PyEval_RestoreThread(*saved); }
static void free_block(void **block) { PyMem_Free(*block); } // expected-note {{'free_block' needs the GIL: it calls 'PyMem_Free' here}}

void scoped_release(size_t n) {
  {
    __attribute__((cleanup(end_threads))) PyThreadState *saved = PyEval_SaveThread();
    PyMem_RawFree(PyMem_RawMalloc(n));
  }
  PyMem_Free(PyMem_Malloc(n)); /* the cleanup took the GIL back */
}

void scoped_block(void) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  {
    __attribute__((cleanup(free_block))) void *block = NULL; // expected-warning {{call to 'free_block' needs the GIL, but the GIL is released here}}
  }
  Py_END_ALLOW_THREADS
}
