/* Same file name as ../a/util.c. */
#include <Python.h>
void *b_helper(size_t n) { return PyMem_Malloc(n); }
