// PyGILState_Ensure holds the GIL until the matching PyGILState_Release,
// which restores what the Ensure found: released in a thread, held when
// the caller already had it.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s

#include <Python.h>
#include <pthread.h>

static void *good_worker(void *arg) {
  PyGILState_STATE st = PyGILState_Ensure();
  void *p = PyMem_Malloc(8);
  PyMem_Free(p);
  PyGILState_Release(st);
  return arg;
}

static void *late_worker(void *arg) {
  void *p = PyMem_Malloc(8); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  // expected-note@-1 {{'p' is allocated and freed only in this function}}
  PyGILState_STATE st = PyGILState_Ensure();
  PyMem_Free(p);
  PyGILState_Release(st);
  PyObject_Free(arg); // expected-warning {{call to 'PyObject_Free' needs the GIL, but the GIL is released here}}
  return NULL;
}

static void *nested_worker(void *arg) {
  PyGILState_STATE outer, inner;
  outer = PyGILState_Ensure();
  inner = PyGILState_Ensure();
  PyGILState_Release(inner);
  PyMem_Free(arg); /* the outer Ensure still holds it */
  PyGILState_Release(outer);
  return NULL;
}

static void *branchy_worker(void *arg) {
  PyGILState_STATE st;
  if (arg) {
    st = PyGILState_Ensure();
    PyMem_Free(arg);
    PyGILState_Release(st);
  }
  return NULL;
}

/* Called with the GIL held or not: after the Release it is what it was. */
void callback_from_anywhere(void *p) {
  PyGILState_STATE st = PyGILState_Ensure();
  PyObject_Free(p);
  PyGILState_Release(st);
}

int start(void) {
  pthread_t t[4];
  pthread_create(&t[0], NULL, good_worker, NULL);
  pthread_create(&t[1], NULL, late_worker, NULL); // expected-note 2 {{'late_worker' runs without the GIL: it is started as a thread by 'pthread_create' here}}
  pthread_create(&t[2], NULL, nested_worker, NULL);
  return pthread_create(&t[3], NULL, branchy_worker, NULL);
}
