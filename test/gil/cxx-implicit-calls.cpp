// C++ calls nobody writes: destructors of members and bases (also in the
// destructors the compiler defines), of temporaries at the end of their
// full-expression, of objects deleted, of locals at scope end, and class
// operators new and delete.  Each is a call like any other: it may need the
// GIL, and a guard's destructor changes the GIL state where it runs.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clangxx -std=c++17 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s

#include <Python.h>

struct Scratch {
  void *Block = nullptr;
  ~Scratch() { PyObject_Free(Block); } // expected-note 5 {{'Scratch::~Scratch' needs the GIL: it calls 'PyObject_Free' here}}
};

struct Owner {
  Scratch Member; // expected-note {{'Owner::~Owner' needs the GIL: it calls 'Scratch::~Scratch' here}}
  ~Owner() {}
};

struct Implicit {
  int Tag;
  Scratch Member; // expected-note {{'Implicit::~Implicit' needs the GIL: it calls 'Scratch::~Scratch' here}}
};

struct Derived : Scratch {}; // expected-note {{'Derived::~Derived' needs the GIL: it calls 'Scratch::~Scratch' here}}

struct Pooled {
  static void *operator new(size_t n) { return PyObject_Malloc(n); } // expected-note {{'Pooled::operator new' needs the GIL: it calls 'PyObject_Malloc' here}}
  static void operator delete(void *p) { PyObject_Free(p); } // expected-note {{'Pooled::operator delete' needs the GIL: it calls 'PyObject_Free' here}}
  int Value = 0;
};

void members(Owner *o, Implicit *i) {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  delete o; // expected-warning {{call to 'Owner::~Owner' needs the GIL, but the GIL is released here}}
  delete i; // expected-warning {{call to 'Implicit::~Implicit' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void bases() {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  {
    Derived d;
  } // expected-warning {{call to 'Derived::~Derived' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void locals(bool early) {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  Scratch s;
  if (early)
    return; // expected-warning {{call to 'Scratch::~Scratch' needs the GIL, but the GIL is released here}} expected-warning {{returning here leaves the GIL released: the thread state saved in '_save' is lost}} expected-note {{take the GIL back with 'Py_BLOCK_THREADS' before returning}}
  /* The scope Py_BEGIN_ALLOW_THREADS opened ends after the GIL is back. */
  Py_END_ALLOW_THREADS
}

void temporaries() {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  (void)Scratch().Block; // expected-warning {{call to 'Scratch::~Scratch' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void class_new_delete() {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  Pooled *p = new Pooled; // expected-warning {{call to 'Pooled::operator new' needs the GIL, but the GIL is released here}}
  delete p; // expected-warning {{call to 'Pooled::operator delete' needs the GIL, but the GIL is released here}}
  int *q = new int(1); /* the global operators need nothing */
  delete q;
  Py_END_ALLOW_THREADS
}

/* Guards: what their destructors do happens where the scope ends. */
struct EnsureGil {
  PyGILState_STATE State;
  EnsureGil() : State(PyGILState_Ensure()) {}
  ~EnsureGil() { PyGILState_Release(State); }
};

struct ReleaseGil {
  PyThreadState *Saved;
  ReleaseGil() : Saved(PyEval_SaveThread()) {}
  ~ReleaseGil() { PyEval_RestoreThread(Saved); }
};

void ensure_in_released_region() {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  {
    EnsureGil held;
    PyMem_Free(PyMem_Malloc(1));
  }
  /* The guard put back what it found: released. */
  PyMem_Free(PyMem_Malloc(2)); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  // expected-warning@-1 {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void temporary_guard() {
  ReleaseGil(), PyMem_Free(nullptr); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  // expected-note@-1 {{the GIL is released here by the call to 'ReleaseGil::ReleaseGil', which returns without it}}
  PyMem_Free(nullptr); /* the temporary's destructor took the GIL back */
}
