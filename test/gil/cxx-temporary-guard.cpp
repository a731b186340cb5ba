// A guard made as a temporary lives to the end of its full-expression, not
// of its scope: `Gil();` takes the GIL and puts back what it found before
// the next statement (the unnamed-guard bug).  Bound to a reference, or
// naming the object it initializes (`Gil g = Gil();`, elided before C++17
// and guaranteed since), it lasts as a named guard does.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clangxx -std=c++17 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s
// RUN: %clangxx -std=c++14 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s

#include <Python.h>

struct Gil {
  PyGILState_STATE State;
  Gil() : State(PyGILState_Ensure()) {}
  ~Gil() { PyGILState_Release(State); }
};

void unnamed() {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  Gil(); // expected-note 2 {{the temporary 'Gil' made here puts back the state it found at the end of its full-expression: a guard lasts to the end of its scope only when it is named}}
  PyMem_Free(PyMem_Malloc(1)); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  // expected-warning@-1 {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void unnamed_braces() {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  Gil{}; // expected-note {{the temporary 'Gil' made here puts back}}
  PyMem_Free(nullptr); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

/* Within its own full-expression the temporary holds the GIL. */
void comma() {
  Py_BEGIN_ALLOW_THREADS
  Gil(), PyMem_Free(nullptr);
  Py_END_ALLOW_THREADS
}

void named() {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  {
    Gil g = Gil();
    PyMem_Free(nullptr);
  }
  PyMem_Free(nullptr); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void reference_bound() {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  {
    const Gil &g = Gil();
    PyMem_Free(nullptr);
  }
  PyMem_Free(nullptr); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void with_gil(const Gil &) { PyMem_Free(nullptr); }
void by_value(Gil) { PyMem_Free(nullptr); }

/* Held while the call runs, put back after the full-expression. */
void argument() {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  with_gil(Gil()); // expected-note {{the temporary 'Gil' made here puts back}}
  PyMem_Free(nullptr); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  by_value(Gil()); // expected-note {{the temporary 'Gil' made here puts back}}
  PyMem_Free(nullptr); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

/* A function whose only guard is a temporary does not acquire the GIL
   for its caller. */
void touch() { Gil(); }

void caller() {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  touch();
  PyMem_Free(nullptr); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}
