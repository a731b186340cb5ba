// What is CPython's C API is told by the headers that declare it, as for
// CPython's inline functions (cpython-headers.c), not by a Py* name: a
// project's own PyProj_* functions, defined in another of its files, are
// neither checked by gil-api=all nor exempt from gil-escape.  Without
// Python.h there is no header to tell by, and a Py*-named function the
// file does not define is taken for the C API.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -DWITH_PYTHON_H \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-gil-api=all -Xclang -verify=python %s
// RUN: %clang -std=c11 -fsyntax-only -isystem %py_include -DWITH_PYTHON_H \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-gil-api=all -Xclang -verify=python %s
// RUN: %clang -std=c11 -fsyntax-only -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-api=all -Xclang -verify=nopython %s

#ifdef WITH_PYTHON_H
#include <Python.h>
#else
#include <stddef.h>
typedef struct PyThreadState PyThreadState;
PyThreadState *PyEval_SaveThread(void);
void PyEval_RestoreThread(PyThreadState *);
void *PyMem_Malloc(size_t);
void PyMem_Free(void *);
#define Py_BEGIN_ALLOW_THREADS { PyThreadState *_save = PyEval_SaveThread();
#define Py_END_ALLOW_THREADS PyEval_RestoreThread(_save); }
#endif

/* The project's own, defined in another of its files. */
void PyProj_Log(const char *msg);
void PyProj_SetAllocator(void *(*alloc)(size_t), void (*release)(void *));

void log_released(void) {
  Py_BEGIN_ALLOW_THREADS // nopython-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  PyProj_Log("released"); // nopython-warning {{call to 'PyProj_Log' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void install(void) {
  PyProj_SetAllocator(PyMem_Malloc, PyMem_Free); // python-warning {{'PyMem_Malloc' needs the GIL, but it is passed here to 'PyProj_SetAllocator', which may call it without the GIL}}
  // python-warning@-1 {{'PyMem_Free' needs the GIL, but it is passed here to 'PyProj_SetAllocator', which may call it without the GIL}}
}

/* Defined here: analysed like any other function, whatever its name. */
void PyProj_Quiet(void) {}

void quiet_released(void) {
  Py_BEGIN_ALLOW_THREADS
  PyProj_Quiet();
  Py_END_ALLOW_THREADS
}
