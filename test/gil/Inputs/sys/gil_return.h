/* A system header (-isystem) whose function returns inside a released
   block: as with clang's own warnings, nothing in it is reported. */
#include <Python.h>

static inline int vendor_try_work(int busy) {
  Py_BEGIN_ALLOW_THREADS
  if (busy)
    return 0;
  Py_END_ALLOW_THREADS
  return 1;
}
