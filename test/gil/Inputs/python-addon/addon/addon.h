/* Another package's header, installed into CPython's include directory
   (Debian links numpy/ there; greenlet installs greenlet/): its inline
   functions are analysed and its API is not CPython's. */
#include <Python.h>

static inline void *PyAddon_New(size_t n) { return PyMem_Malloc(n); }
int PyAddon_Count(void);
