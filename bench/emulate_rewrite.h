/*
 * emulate_rewrite.h: the calls the plugin's trace rewrite
 * (-fplugin-arg-pymemcheck-trace) writes, for building the traced half of
 * a benchmark where the build has no plugin (the gcc tree).  The plugin's
 * output is byte-identical to this hand rewrite (test/plugin/
 * identical-object.c), so the figures are the same.  Include it after the
 * headers that declare the functions.
 */
#include "pymemcheck/trace.h"

#define PyMem_RawMalloc(n) _PyMem_RawMallocTrace(__FILE__, __LINE__, n)
#define PyMem_RawCalloc(n, s) _PyMem_RawCallocTrace(__FILE__, __LINE__, n, s)
#define PyMem_RawRealloc(p, n) _PyMem_RawReallocTrace(__FILE__, __LINE__, p, n)
#define PyMem_RawFree(p) _PyMem_RawFreeTrace(__FILE__, __LINE__, p)
#define PyMem_Malloc(n) _PyMem_MallocTrace(__FILE__, __LINE__, n)
#define PyMem_Calloc(n, s) _PyMem_CallocTrace(__FILE__, __LINE__, n, s)
#define PyMem_Realloc(p, n) _PyMem_ReallocTrace(__FILE__, __LINE__, p, n)
#define PyMem_Free(p) _PyMem_FreeTrace(__FILE__, __LINE__, p)
#define PyObject_Malloc(n) _PyObject_MallocTrace(__FILE__, __LINE__, n)
#define PyObject_Calloc(n, s) _PyObject_CallocTrace(__FILE__, __LINE__, n, s)
#define PyObject_Realloc(p, n) _PyObject_ReallocTrace(__FILE__, __LINE__, p, n)
#define PyObject_Free(p) _PyObject_FreeTrace(__FILE__, __LINE__, p)
#define malloc(n) pymemcheck_malloc_trace(__FILE__, __LINE__, n)
#define calloc(n, s) pymemcheck_calloc_trace(__FILE__, __LINE__, n, s)
#define realloc(p, n) pymemcheck_realloc_trace(__FILE__, __LINE__, p, n)
#define free(p) pymemcheck_free_trace(__FILE__, __LINE__, p)
#define strdup(s) pymemcheck_strdup_trace(__FILE__, __LINE__, s)
