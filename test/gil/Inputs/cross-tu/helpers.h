#include <Python.h>
void *helper_alloc(size_t n);
void *helper_chained(size_t n);
void *helper_raw(size_t n);
void helper_detach(PyThreadState **save);
void *PyProj_Alloc(size_t n);
