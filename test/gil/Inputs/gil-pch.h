#include <Python.h>

static inline void *header_helper(size_t n) {
  return PyMem_Malloc(n); /* a note points here when a compile uses the PCH */
}

static inline void header_misuse(void) {
  Py_BEGIN_ALLOW_THREADS
  PyMem_Free(NULL); /* reported by each compile that uses the PCH, not by the PCH build */
  Py_END_ALLOW_THREADS
}
