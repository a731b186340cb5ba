/* A library's GIL guards, included as a system header (CMake passes
   pybind11's include directory with -isystem): the analysis follows what
   they do to the GIL, and reports nothing inside them. */
#include <Python.h>

struct acquire_gil {
  PyGILState_STATE state;
  acquire_gil() : state(PyGILState_Ensure()) {}
  ~acquire_gil() { PyGILState_Release(state); }
};

struct release_gil {
  PyThreadState *saved;
  release_gil() : saved(PyEval_SaveThread()) {}
  ~release_gil() { PyEval_RestoreThread(saved); }
};

/* Needs the GIL; and makes a call without it, which is the library's own
   business. */
inline void *lib_scratch(size_t n) {
  release_gil unlocked;
  PyMem_Free(PyMem_Malloc(1));
  return nullptr;
}
inline void *lib_alloc(size_t n) { return PyMem_Malloc(n); }
