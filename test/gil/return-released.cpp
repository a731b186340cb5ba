// gil-return in C++: methods, templates (one report for all their
// instantiations), lambdas; and what keeps the saved thread state beyond
// the return or takes the GIL back on the way out: RAII guards, captures,
// references, exceptions left to the caller.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clangxx -std=c++17 -fsyntax-only -I%py_include -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -Xclang -verify %s

#include <Python.h>
#include <gil_guard.h>

int work();

/* ---- Reported ---- */

class Reader {
public:
  int fill() {
    Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
    if (work())
      return -1; // expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'Py_BLOCK_THREADS' before returning}}
    Py_END_ALLOW_THREADS
    return 0;
  }
};

template <typename T> T compute(T v) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  if (v < 0)
    return v; // expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'Py_BLOCK_THREADS' before returning}}
  Py_END_ALLOW_THREADS
  return v + 1;
}

int instantiate() { return compute(1) + static_cast<int>(compute(2.0)); }

void lambda_body() {
  auto run = [] {
    PyThreadState *ts = PyEval_SaveThread(); // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
    if (work())
      return; // expected-warning {{returning here leaves the GIL released: the thread state saved in 'ts' is lost}}
    PyEval_RestoreThread(ts);
  };
  run();
}

int braced() {
  PyThreadState *ts{PyEval_SaveThread()}; // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
  if (work())
    return -1; // expected-warning {{returning here leaves the GIL released: the thread state saved in 'ts' is lost}}
  PyEval_RestoreThread(ts);
  return 0;
}

/* ---- Not reported ---- */

int raii_guard() {
  release_gil unlocked; /* a library's guard, pybind11-style */
  if (work())
    return -1; /* its destructor takes the GIL back */
  return 0;
}

class Restorer {
public:
  explicit Restorer(PyThreadState *&Ts) : Ts(Ts) {}
  ~Restorer() { PyEval_RestoreThread(Ts); }

private:
  PyThreadState *&Ts;
};

int restored_through_reference() {
  PyThreadState *ts = PyEval_SaveThread();
  Restorer r(ts);
  if (work())
    return -1;
  return 0;
}

void keep_task(void *task);
template <typename F> void run_later(F f) { keep_task(new F(f)); }

void captured_by_copy() {
  Py_BEGIN_ALLOW_THREADS
  run_later([=] { PyEval_RestoreThread(_save); });
  if (work())
    return; /* the lambda holds the state */
  Py_END_ALLOW_THREADS
}

void thrown_out() {
  Py_BEGIN_ALLOW_THREADS
  if (work())
    throw 1; /* not a return: its handler decides */
  Py_END_ALLOW_THREADS
}
