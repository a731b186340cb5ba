/* The other translation unit: helpers, one of them two calls deep. */
#include <Python.h>
#include "helpers.h"

static void *inner(size_t n) { return PyMem_Malloc(n); }
void *helper_alloc(size_t n) { return inner(n); }
void *helper_chained(size_t n) { return helper_alloc(n + 1); }
void *helper_raw(size_t n) { return PyMem_RawMalloc(n); }
void helper_detach(PyThreadState **save) { *save = PyEval_SaveThread(); }
/* A project's own function with a C API-like name is shared too. */
void *PyProj_Alloc(size_t n) { return helper_alloc(n); }
