/* A system header (-isystem) whose code makes a call without the GIL: as
   with clang's own warnings, nothing in it is reported. */
#include <Python.h>

static inline void vendor_release_and_free(void *p) {
  Py_BEGIN_ALLOW_THREADS
  PyMem_Free(p);
  Py_END_ALLOW_THREADS
}
