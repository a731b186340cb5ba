// -fplugin-arg-pymemcheck-gil-api=all checks the whole C API, less a
// curated list of what runs without the GIL: the Raw domain, PyGILState_*,
// the calls that change the state, pre-initialization calls, and the
// field-access macros (which read an object the caller owns).
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify=memory %s
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-api=all -Xclang -verify=all,memory %s

#include <Python.h>
#include <signal.h>
#include <string.h>

static int pending(void *arg) { return arg != NULL; }
static PyInterpreterState *interp; /* taken with the GIL */

PyObject *released(PyObject *self, PyObject *args) {
  PyObject *item = PyTuple_GET_ITEM(args, 0);
  Py_ssize_t n = PyBytes_GET_SIZE(item);
  char *copy;
  Py_BEGIN_ALLOW_THREADS // all-note 4 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}} memory-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  /* fine without the GIL */
  const char *data = PyBytes_AS_STRING(item);
  Py_ssize_t m = PyTuple_GET_SIZE(args) + PyList_GET_SIZE(args) + Py_SIZE(item);
  int is_bytes = PyBytes_Check(item) && Py_IS_TYPE(item, &PyBytes_Type);
  copy = PyMem_RawMalloc((size_t)n);
  memcpy(copy, data, (size_t)n);
  PyMem_RawFree(copy);
  (void)m; (void)is_bytes;
  /* documented as callable without the GIL (or before Py_Initialize) */
  PyErr_SetInterrupt();
  (void)PyErr_SetInterruptEx(SIGINT);
  (void)Py_AddPendingCall(pending, NULL);
  PyThreadState_Delete(PyThreadState_New(interp));
  (void)Py_GetVersion();
  (void)Py_GetPlatform();
  /* not fine */
  PyObject *s = PyUnicode_FromString("x"); // all-warning {{call to 'PyUnicode_FromString' needs the GIL, but the GIL is released here}}
  PyErr_SetString(PyExc_ValueError, "no"); // all-warning {{call to 'PyErr_SetString' needs the GIL, but the GIL is released here}}
  Py_DECREF(s); // all-warning {{call to 'Py_DECREF' needs the GIL, but the GIL is released here}}
  PyThreadState_Clear(NULL); // all-warning {{call to 'PyThreadState_Clear' needs the GIL, but the GIL is released here}}
  PyMem_Free(NULL); // memory-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
  return PyLong_FromSsize_t(n);
}
