// Helpers that need the GIL are reported where they are called without
// it, with the chain of calls down to what needs it; helpers that release
// the GIL and return without it change their callers' state.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%runtime_include -fplugin=%plugin -Xclang -verify %s

#include <Python.h>
#include "pymemcheck/gil.h"

static char *leaf(size_t n) {
  return PyMem_Malloc(n); // expected-note {{'leaf' needs the GIL: it calls 'PyMem_Malloc' here}}
}
static char *middle(size_t n) {
  return leaf(n + 1); // expected-note {{'middle' needs the GIL: it calls 'leaf' here}}
}
static char *top(size_t n) {
  char *s = middle(n); // expected-note {{'top' needs the GIL: it calls 'middle' here}}
  return s;
}

PyObject *three_deep(PyObject *self, PyObject *arg) {
  char *s;
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  s = top(10); // expected-warning {{call to 'top' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
  PyMem_Free(s);
  Py_RETURN_NONE;
}

/* Recursion: the summary reaches a fixpoint. */
static void *rec_a(int n);
static void *rec_b(int n) {
  return n ? rec_a(n - 1) : NULL; // expected-note {{'rec_b' needs the GIL: it calls 'rec_a' here}}
}
static void *rec_a(int n) {
  if (n > 5)
    return rec_b(n - 1);
  return PyObject_Malloc(n); // expected-note {{'rec_a' needs the GIL: it calls 'PyObject_Malloc' here}}
}

PyObject *recursive(PyObject *self, PyObject *arg) {
  void *p;
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  p = rec_b(9); // expected-warning {{call to 'rec_b' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
  PyObject_Free(p);
  Py_RETURN_NONE;
}

/* A helper that takes the GIL itself needs nothing of its caller. */
static void *self_sufficient(size_t n) {
  PyGILState_STATE st = PyGILState_Ensure();
  void *p = PyMem_Malloc(n);
  PyGILState_Release(st);
  return p;
}

/* Pillow's ImagingSectionEnter/Leave: functions that release and
   reacquire, called as a pair. */
typedef struct { PyThreadState *save; } Section;
static void section_enter(Section *s) { s->save = PyEval_SaveThread(); }
static void section_leave(Section *s) { PyEval_RestoreThread(s->save); }

PyObject *sections(PyObject *self, PyObject *arg) {
  Section s;
  void *p;
  section_enter(&s); // expected-note {{the GIL is released here by the call to 'section_enter', which returns without it}}
  p = self_sufficient(4);
  PyMem_Free(p); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  section_leave(&s);
  PyMem_Free(NULL);
  Py_RETURN_NONE;
}

/* What the code cannot show, annotated. */
PYMEMCHECK_NEEDS_GIL void *cache_take(size_t n); // expected-note {{'cache_take' is declared PYMEMCHECK_NEEDS_GIL}}
PYMEMCHECK_RELEASES_GIL void engine_detach(void);
PYMEMCHECK_ACQUIRES_GIL void engine_attach(void);

static void *via_cache(size_t n) {
  return cache_take(n); // expected-note {{'via_cache' needs the GIL: it calls 'cache_take' here}}
}

void annotated(void) {
  engine_detach(); // expected-note 2 {{the GIL is released here by the call to 'engine_detach', which returns without it}}
  PyMem_Free(NULL); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  via_cache(1); // expected-warning {{call to 'via_cache' needs the GIL, but the GIL is released here}}
  engine_attach();
  cache_take(2);
}
