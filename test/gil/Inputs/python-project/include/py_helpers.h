/* A project's own header, in a directory whose path holds "python" (a
   project under ~/python/, python-ldap): its Py*-named helpers are the
   project's, and analysed. */
#include <Python.h>

static inline void *PyProj_Alloc(size_t n) { return PyMem_Malloc(n); }
