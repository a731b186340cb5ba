/* Same file name as ../b/util.c. */
#include <Python.h>
void *a_helper(size_t n) { return PyMem_Malloc(n); }
