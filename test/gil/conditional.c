// Conditional release: "released on some paths" where the paths join, and
// no report where a later branch on the same condition tells them apart
// (numpy's `if (!needs_api) NPY_BEGIN_THREADS;` ... `NPY_END_THREADS`).
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s

#include <Python.h>

#define MY_BEGIN_THREADS_DEF PyThreadState *_save = NULL;
#define MY_BEGIN_THREADS do { _save = PyEval_SaveThread(); } while (0)
#define MY_END_THREADS do { if (_save) { PyEval_RestoreThread(_save); _save = NULL; } } while (0)

typedef struct { int needs_api; } Iter;

void numpy_style(Iter *it, size_t n) {
  MY_BEGIN_THREADS_DEF
  if (!it->needs_api)
    MY_BEGIN_THREADS; // expected-note {{the GIL is released here by 'MY_BEGIN_THREADS'}}
  char *buf = PyMem_RawMalloc(n);
  PyMem_RawFree(buf);
  if (it->needs_api) {
    void *p = PyMem_Malloc(n); /* only on the path that kept the GIL */
    PyMem_Free(p);
  }
  PyObject_Free(NULL); // expected-warning {{call to 'PyObject_Free' needs the GIL, but the GIL is released on some paths to here}}
  if (!it->needs_api)
    MY_END_THREADS;
  PyObject_Free(NULL);
}

void flag_style(int release, size_t n) {
  PyThreadState *save = NULL;
  if (release)
    save = PyEval_SaveThread();
  if (!release)
    PyMem_Free(NULL);
  if (release)
    PyEval_RestoreThread(save);
  PyMem_Free(NULL);
}

void changed_condition(int release) {
  PyThreadState *save = NULL;
  if (release)
    save = PyEval_SaveThread(); // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
  release = 0;
  if (!release)
    PyMem_Free(NULL); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released on some paths to here}}
  if (save)
    PyEval_RestoreThread(save);
}

void loop_release(int n) {
  for (int i = 0; i < n; i++) {
    Py_BEGIN_ALLOW_THREADS
    Py_END_ALLOW_THREADS
    PyMem_Free(NULL);
  }
  while (n--) {
    PyThreadState *save = PyEval_SaveThread(); // expected-note 2 {{the GIL is released here by 'PyEval_SaveThread'}}
    if (n == 3)
      break;
    PyEval_RestoreThread(save);
  }
  PyMem_Free(NULL); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released on some paths to here}}
} // expected-warning {{returning here leaves the GIL released on some paths: the thread state saved in 'save' is lost}}

/* A branch on the condition inside a loop: its two sides reach the loop's
   head one after the other, and the head still tells the paths apart. */
void condition_in_loop(int release, int n) {
  PyThreadState *save = NULL;
  if (release)
    save = PyEval_SaveThread();
  for (int i = 0; i < n; i++) {
    if (release)
      PyMem_RawFree(NULL);
    else
      PyMem_Free(NULL);
  }
  if (save)
    PyEval_RestoreThread(save);
  PyMem_Free(NULL);
}
