// gil-return: a function that can return while the thread state
// PyEval_SaveThread saved is held only in one of its variables, which dies
// with the return: the state is lost and the caller, CPython, runs on
// without the GIL.  Reported whether or not the function has callers here.
// Returns the GIL is taken back before, helpers that hand the state on
// (returned, stored elsewhere) and what system headers and CPython's own
// headers do are not reported.
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir -p %t && cp -R %py_include %t/include
// RUN: cp %S/Inputs/cpython-own/pyreturn.h %t/include/cpython/pyreturn.h
// RUN: %clang -std=c11 -fsyntax-only -I%t/include -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -Xclang -verify %s
//
// Levels, as for the other checks.
// RUN: %clang -std=c11 -fsyntax-only -I%t/include -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-no-gil-return %s 2>&1 | count 0
// RUN: %clang -std=c11 -fsyntax-only -I%t/include -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -w %s 2>&1 | count 0
// RUN: not %clang -std=c11 -fsyntax-only -I%t/include -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-error-gil-return %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ERROR --implicit-check-not=warning:
// RUN: not %clang -std=c11 -fsyntax-only -I%t/include -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -Werror %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ERROR --implicit-check-not=warning:
// RUN: %clang -std=c11 -fsyntax-only -I%t/include -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-sarif=%t/out.sarif %s 2>/dev/null
// RUN: FileCheck %s --check-prefix=SARIF < %t/out.sarif

#include <Python.h>
#include <cpython/pyreturn.h>
#include "gil_return.h"

int work(void);

/* ---- Reported ---- */

PyObject *return_inside_block(PyObject *self, PyObject *arg) {
  int failed;
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  failed = work();
  if (failed)
    return NULL; // expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'Py_BLOCK_THREADS' before returning}}
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}
// ERROR: return-released.c:[[#@LINE-4]]:5: error: returning here leaves the GIL released: the thread state saved in '_save' is lost

PyObject *return_macro_inside_block(PyObject *self, PyObject *arg) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  if (work())
    Py_RETURN_NONE; // expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'Py_BLOCK_THREADS' before returning}}
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

/* A project's own macros around CPython's. */
#define MY_BEGIN_THREADS Py_BEGIN_ALLOW_THREADS
#define MY_END_THREADS Py_END_ALLOW_THREADS

int project_block(void) {
  MY_BEGIN_THREADS // expected-note {{the GIL is released here by 'MY_BEGIN_THREADS'}}
  if (work())
    return -1; // expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'Py_BLOCK_THREADS' before returning}}
  MY_END_THREADS
  return 0;
}

/* Released again by Py_UNBLOCK_THREADS after a moment with the GIL. */
int unblocked_then_return(void) {
  Py_BEGIN_ALLOW_THREADS
  Py_BLOCK_THREADS
  Py_UNBLOCK_THREADS // expected-note {{the GIL is released here by 'Py_UNBLOCK_THREADS'}}
  if (work())
    return -1; // expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'Py_BLOCK_THREADS' before returning}}
  Py_END_ALLOW_THREADS
  return 0;
}

/* Out of the block by goto: '_save' is out of scope at the return, so
   Py_BLOCK_THREADS cannot be written there. */
PyObject *goto_out_of_block(PyObject *self, PyObject *arg) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  if (work())
    goto fail;
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
fail:
  return NULL; // expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}}
}

/* NumPy-style macros: the variable is declared apart, the begin macro may
   be skipped, and the end macro restores only what was released. */
#define ARR_THREADS_DEF PyThreadState *_save = NULL
#define ARR_BEGIN_THREADS do { _save = PyEval_SaveThread(); } while (0)
#define ARR_END_THREADS                                                        \
  do {                                                                         \
    if (_save) {                                                               \
      PyEval_RestoreThread(_save);                                             \
      _save = NULL;                                                            \
    }                                                                          \
  } while (0)

int numpy_style(int n) {
  ARR_THREADS_DEF;
  ARR_BEGIN_THREADS; // expected-note {{the GIL is released here by 'ARR_BEGIN_THREADS'}}
  if (n < 0)
    return -1; // expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'ARR_END_THREADS' before returning}}
  ARR_END_THREADS;
  return 0;
}

int numpy_style_conditional(int needs_api, int n) {
  ARR_THREADS_DEF;
  if (!needs_api)
    ARR_BEGIN_THREADS; // expected-note {{the GIL is released here by 'ARR_BEGIN_THREADS'}}
  if (n < 0)
    return -1; // expected-warning {{returning here leaves the GIL released on some paths: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'ARR_END_THREADS' before returning}}
  ARR_END_THREADS;
  return 0;
}

/* By hand. */
int by_hand(int fd) {
  PyThreadState *ts = PyEval_SaveThread(); // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
  if (fd < 0)
    return -1; // expected-warning {{returning here leaves the GIL released: the thread state saved in 'ts' is lost}}
  PyEval_RestoreThread(ts);
  return 0;
}

void never_restored(int n) {
  PyThreadState *ts = PyEval_SaveThread(); // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
  if (n)
    work();
} // expected-warning {{returning here leaves the GIL released: the thread state saved in 'ts' is lost}}

void restored_on_one_path(int n) {
  PyThreadState *ts = PyEval_SaveThread(); // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
  if (n)
    PyEval_RestoreThread(ts);
} // expected-warning {{returning here leaves the GIL released on some paths: the thread state saved in 'ts' is lost}}

int flag_style_early_exit(int release) {
  PyThreadState *ts = NULL;
  if (release)
    ts = PyEval_SaveThread(); // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
  if (work())
    return -1; // expected-warning {{returning here leaves the GIL released on some paths: the thread state saved in 'ts' is lost}}
  if (ts)
    PyEval_RestoreThread(ts);
  return 0;
}

int swapped_out(void) {
  PyThreadState *old = PyThreadState_Swap(NULL); // expected-note {{the GIL is released here by 'PyThreadState_Swap'}}
  if (work())
    return -1; // expected-warning {{returning here leaves the GIL released: the thread state saved in 'old' is lost}}
  PyThreadState_Swap(old);
  return 0;
}

/* A caller here does not change what the function itself does. */
int calls_by_hand(void) { return by_hand(3); }

/* ---- Not reported ---- */

PyObject *well_formed(PyObject *self, PyObject *arg) {
  int failed;
  if (arg == NULL)
    return NULL; /* before the block */
  Py_BEGIN_ALLOW_THREADS
  failed = work();
  Py_END_ALLOW_THREADS
  if (failed)
    return NULL; /* after it */
  Py_RETURN_NONE;
}

PyObject *blocked_then_return(PyObject *self, PyObject *arg) {
  Py_BEGIN_ALLOW_THREADS
  if (work()) {
    Py_BLOCK_THREADS
    return PyErr_NoMemory();
  }
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

int numpy_style_ended(int needs_api, int n) {
  ARR_THREADS_DEF;
  if (!needs_api)
    ARR_BEGIN_THREADS;
  for (int i = 0; i < n; i++) {
    if (needs_api)
      PyErr_CheckSignals();
    else
      work();
  }
  ARR_END_THREADS;
  return 0;
}

int flag_style(int release) {
  PyThreadState *ts = NULL;
  if (release)
    ts = PyEval_SaveThread();
  work();
  if (release)
    PyEval_RestoreThread(ts);
  return 0;
}

void fatal_inside(void) {
  Py_BEGIN_ALLOW_THREADS
  if (work())
    abort(); /* never returns */
  Py_END_ALLOW_THREADS
}

/* Helpers that return without the GIL on purpose: the state is handed on. */
PyThreadState *release_and_return(void) { return PyEval_SaveThread(); }

PyThreadState *release_into_local_and_return(void) {
  PyThreadState *ts = PyEval_SaveThread();
  return ts;
}

static PyThreadState *saved_globally;

void release_into_global(void) { saved_globally = PyEval_SaveThread(); }

void release_through_local_into_global(void) {
  PyThreadState *ts = PyEval_SaveThread();
  saved_globally = ts;
}

void release_into_static_local(void) {
  static PyThreadState *ts;
  ts = PyEval_SaveThread();
}

void release_into_out(PyThreadState **out) { *out = PyEval_SaveThread(); }

void release_through_local_into_out(PyThreadState **out) {
  PyThreadState *ts = PyEval_SaveThread();
  *out = ts;
}

typedef struct {
  PyThreadState *ts;
} Session;

void session_release(Session *s) { s->ts = PyEval_SaveThread(); }

void keep_state(PyThreadState **slot);

void release_address_taken(void) {
  PyThreadState *ts = PyEval_SaveThread();
  keep_state(&ts);
}

/* The cleanup function gets the variable's address, and restores. */
static void restore_at_scope_end(PyThreadState **ts) {
  PyEval_RestoreThread(*ts);
}

int release_with_cleanup(void) {
  PyThreadState *ts __attribute__((cleanup(restore_at_scope_end))) =
      PyEval_SaveThread();
  if (work())
    return -1;
  return 0;
}

/* An embedder's main returns to the C library, which ends the process. */
int main(void) {
  Py_Initialize();
  PyThreadState *ts = PyEval_SaveThread();
  if (work())
    return 1;
  PyEval_RestoreThread(ts);
  return Py_FinalizeEx() < 0;
}

/* The same mistake in a system header and in CPython's own headers. */
int from_headers(void) { return vendor_try_work(1) + _PyTest_ReleaseEarly(1); }

// SARIF: "results": [
// SARIF: "level": "warning",
// SARIF: "text": "returning here leaves the GIL released: the thread state saved in '_save' is lost"
// SARIF: "relatedLocations": [
// SARIF: "id": 0,
// SARIF: "text": "the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'"
// SARIF: "id": 1,
// SARIF: "text": "take the GIL back with 'Py_BLOCK_THREADS' before returning"
// SARIF: "ruleId": "gil-return",
// SARIF-NEXT: "ruleIndex": 2
// SARIF: "rules": [
// SARIF: "id": "gil-return",
// SARIF-NEXT: "name": "ReturnWithGilReleased",
