// Calls that need the GIL inside the blocks where CPython's macros release
// it, and everything that is fine there.  Against the real Python.h, so the
// macros expand as users see them.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* A project's own wrappers, as numpy and Pillow have. */
#define MY_BEGIN_THREADS Py_BEGIN_ALLOW_THREADS
#define MY_END_THREADS Py_END_ALLOW_THREADS

PyObject *direct_calls(PyObject *self, PyObject *arg) {
  void *p;
  Py_BEGIN_ALLOW_THREADS // expected-note 4 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  p = PyMem_Malloc(16); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}} expected-note {{'p' is allocated and freed only in this function: 'PyMem_RawMalloc', 'PyMem_RawRealloc' and 'PyMem_RawFree' do not need the GIL}}
  p = PyMem_Realloc(p, 32); // expected-warning {{call to 'PyMem_Realloc' needs the GIL, but the GIL is released here}}
  PyObject_Free(PyObject_Calloc(2, 8)); // expected-warning {{call to 'PyObject_Calloc' needs the GIL}} expected-warning {{call to 'PyObject_Free' needs the GIL}}
  Py_END_ALLOW_THREADS
  PyMem_Free(p); /* held again */
  Py_RETURN_NONE;
}

PyObject *cpython_macros(PyObject *self, PyObject *arg) {
  int *v;
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  v = PyMem_New(int, 8); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  PyMem_Del(v); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

PyObject *unblock_block(PyObject *self, PyObject *arg) {
  void *p = NULL;
  Py_BEGIN_ALLOW_THREADS
  Py_BLOCK_THREADS
  p = PyMem_Malloc(4); /* reacquired for a moment */
  Py_UNBLOCK_THREADS // expected-note {{the GIL is released here by 'Py_UNBLOCK_THREADS'}}
  PyMem_Free(p); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}} expected-note {{'p' is allocated and freed only in this function: 'PyMem_RawMalloc' and 'PyMem_RawFree' do not need the GIL}}
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

PyObject *project_macros(PyObject *self, PyObject *arg) {
  void *p;
  MY_BEGIN_THREADS // expected-note {{the GIL is released here by 'MY_BEGIN_THREADS'}}
  p = PyObject_Malloc(8); // expected-warning {{call to 'PyObject_Malloc' needs the GIL, but the GIL is released here}} expected-note {{'PyMem_RawMalloc' and 'PyMem_RawFree' do not need the GIL}}
  MY_END_THREADS
  PyObject_Free(p);
  Py_RETURN_NONE;
}

void save_restore_by_hand(void) {
  PyThreadState *ts = PyEval_SaveThread(); // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
  PyMem_Free(NULL); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  PyEval_RestoreThread(ts);
  PyMem_Free(NULL);
  PyThreadState *old = PyThreadState_Swap(NULL); // expected-note {{the GIL is released here by 'PyThreadState_Swap'}}
  PyObject_Free(NULL); // expected-warning {{call to 'PyObject_Free' needs the GIL, but the GIL is released here}}
  PyThreadState_Swap(old);
  PyObject_Free(NULL);
}

/* True negatives: what may run without the GIL. */
PyObject *fine_without_gil(PyObject *self, PyObject *args) {
  PyObject *bytes = PyTuple_GET_ITEM(args, 0);
  Py_ssize_t n = PyBytes_GET_SIZE(bytes);
  const char *src;
  char *copy;
  Py_ssize_t items;
  Py_BEGIN_ALLOW_THREADS
  src = PyBytes_AS_STRING(bytes);
  items = PyTuple_GET_SIZE(args) + PyList_GET_SIZE(args);
  copy = PyMem_RawMalloc((size_t)n + 1);
  if (copy) {
    memcpy(copy, src, (size_t)n);
    copy = PyMem_RawRealloc(copy, (size_t)n + 2);
  }
  PyMem_RawFree(copy);
  copy = malloc(4);
  free(copy);
  Py_END_ALLOW_THREADS
  (void)items;
  copy = PyMem_Malloc(4);
  PyMem_Free(copy);
  Py_RETURN_NONE;
}

/* An early return must reacquire first: Py_BLOCK_THREADS. */
PyObject *early_return(PyObject *self, PyObject *arg) {
  int fail = arg == NULL;
  Py_BEGIN_ALLOW_THREADS
  if (fail) {
    Py_BLOCK_THREADS
    return PyErr_NoMemory();
  }
  Py_END_ALLOW_THREADS
  return PyMem_Malloc(1) ? Py_None : NULL;
}

/* Nothing is known of an ordinary function's callers: no report inside. */
void *ordinary(size_t n) { return PyMem_Malloc(n); }

/* The other state changers of the reference table. */
void release_acquire_thread(PyThreadState *ts) {
  PyEval_ReleaseThread(ts); // expected-note {{the GIL is released here by 'PyEval_ReleaseThread'}}
  PyObject_Free(NULL); // expected-warning {{call to 'PyObject_Free' needs the GIL, but the GIL is released here}}
  PyEval_AcquireThread(ts);
  PyObject_Free(NULL);
}

int run_and_finalize(int argc, wchar_t **argv) {
  int status = Py_Main(argc, argv); // expected-note {{the GIL is released here by 'Py_Main'}}
  PyMem_Free(NULL); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  return status;
}
