// C++: RAII guards (pybind11's gil_scoped_release is one), methods,
// templates, lambdas.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clangxx -std=c++17 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s

#include <Python.h>
#include <thread>

class ReleaseGil {
public:
  ReleaseGil() : Saved(PyEval_SaveThread()) {}
  ~ReleaseGil() { PyEval_RestoreThread(Saved); }

private:
  PyThreadState *Saved;
};

void guarded(size_t n) {
  {
    ReleaseGil NoGil; // expected-note 2 {{the GIL is released here by the call to 'ReleaseGil::ReleaseGil', which returns without it}}
    void *p = PyMem_Malloc(n); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
    // expected-note@-1 {{'p' is allocated and freed only in this function}}
    PyMem_RawFree(PyMem_RawMalloc(n));
    PyMem_Free(p); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  }
  PyMem_Free(PyMem_Malloc(n)); /* the destructor took it back */
}

struct Buffer {
  void *Data = nullptr;
  void grow(size_t n) { Data = PyMem_Realloc(Data, n); } // expected-note {{'Buffer::grow' needs the GIL: it calls 'PyMem_Realloc' here}}
  void fill(size_t n) {
    Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
    grow(n); // expected-warning {{call to 'Buffer::grow' needs the GIL, but the GIL is released here}}
    Py_END_ALLOW_THREADS
  }
};

template <typename T> T *make(size_t n) {
  return static_cast<T *>(PyObject_Malloc(n * sizeof(T))); // expected-note {{'make<int>' needs the GIL: it calls 'PyObject_Malloc' here}}
}

int *instantiated(size_t n) {
  int *v;
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  v = make<int>(n); // expected-warning {{call to 'make<int>' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
  return v;
}

void lambdas(size_t n) {
  auto Alloc = [](size_t k) { return PyMem_Malloc(k); };
  void *p = Alloc(n);
  Py_BEGIN_ALLOW_THREADS
  auto Raw = [n]() { return PyMem_RawMalloc(n); };
  PyMem_RawFree(Raw());
  Py_END_ALLOW_THREADS
  PyMem_Free(p);
}

/* std::thread runs a function or a lambda without the GIL. */
static void thread_body(int) {
  PyMem_Free(nullptr); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
}

void std_threads() {
  std::thread a(thread_body, 1); // expected-note {{'thread_body' runs without the GIL: it is started as a thread by 'std::thread' here}}
  std::thread b([] {
    PyObject_Free(nullptr); // expected-warning {{call to 'PyObject_Free' needs the GIL, but the GIL is released here}}
  }); // expected-note@-2 {{'lambda' runs without the GIL: it is started as a thread by 'std::thread' here}}
  std::thread c([] {
    PyGILState_STATE st = PyGILState_Ensure();
    PyObject_Free(nullptr);
    PyGILState_Release(st);
  });
  a.join();
  b.join();
  c.join();
}
