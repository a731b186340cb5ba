// An embedder's main runs without the GIL until Python is initialized and
// again after it is finalized (PEP 445 names CPython's own main as doing
// exactly this).  A main that never initializes Python is an ordinary
// function: a program on pymemcheck's standalone runtime, for one.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -DSTANDALONE %s 2>&1 | count 0

#include <Python.h>

#ifndef STANDALONE
static char *copy_argument(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = PyMem_Malloc(n); // expected-note {{'copy_argument' needs the GIL: it calls 'PyMem_Malloc' here}}
  return c ? memcpy(c, s, n) : NULL;
}

int main(int argc, char **argv) { // expected-note 2 {{'main' runs without the GIL until Python is initialized}}
  wchar_t *program = Py_DecodeLocale(argv[0], NULL);
  char *raw = PyMem_RawMalloc(16);
  PyMem_RawFree(raw);
  char *early = PyMem_Malloc(16); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  // expected-note@-1 {{'early' is allocated and freed only in this function}}
  char *arg = copy_argument(argc > 1 ? argv[1] : ""); // expected-warning {{call to 'copy_argument' needs the GIL, but the GIL is released here}}
  Py_Initialize();
  PyMem_Free(arg);
  void *during = PyObject_Malloc(8);
  PyObject_Free(during);
  if (Py_FinalizeEx() < 0) // expected-note {{the GIL is released here by 'Py_FinalizeEx'}}
    return 120;
  PyMem_Free(early); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  PyMem_RawFree(program);
  return 0;
}
#else
int main(void) {
  void *p = PyMem_Malloc(8);
  PyMem_Free(p);
  return 0;
}
#endif
