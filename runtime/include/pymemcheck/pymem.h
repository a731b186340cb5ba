/*
 * pymemcheck/pymem.h: CPython's PEP 445 memory allocator API, standalone.
 *
 * This header declares the same types, functions and macros as CPython 3.12's
 * Include/pymem.h, Include/cpython/pymem.h, Include/objimpl.h and
 * Include/cpython/objimpl.h (the memory parts), with identical struct layouts
 * and field order, so code written against CPython's allocator API compiles
 * unchanged.  It is for programs that do not link libpython: link them with
 * libpymemcheck instead.  Do not include it together with <Python.h>.
 */
#ifndef PYMEMCHECK_PYMEM_H
#define PYMEMCHECK_PYMEM_H

#ifdef Py_PYTHON_H
#error "pymemcheck/pymem.h is the standalone allocator API; with CPython include <Python.h> alone"
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PYMEMCHECK_API __declspec(dllimport)
#elif defined(__GNUC__)
#define PYMEMCHECK_API __attribute__((visibility("default")))
#else
#define PYMEMCHECK_API
#endif

/* CPython's Py_ssize_t is the signed counterpart of size_t; ptrdiff_t is
 * that type on every platform CPython supports. */
#ifndef PY_SSIZE_T_MAX
typedef ptrdiff_t Py_ssize_t;
#define PY_SSIZE_T_MAX PTRDIFF_MAX
#define PY_SSIZE_T_MIN PTRDIFF_MIN
#endif

/* ---- Allocation functions (Include/pymem.h, Include/objimpl.h) ---- */

/* RAW domain: thread-safe, needs no attached thread state. */
PYMEMCHECK_API void *PyMem_RawMalloc(size_t size);
PYMEMCHECK_API void *PyMem_RawCalloc(size_t nelem, size_t elsize);
PYMEMCHECK_API void *PyMem_RawRealloc(void *ptr, size_t new_size);
PYMEMCHECK_API void PyMem_RawFree(void *ptr);

/* MEM domain. */
PYMEMCHECK_API void *PyMem_Malloc(size_t size);
PYMEMCHECK_API void *PyMem_Calloc(size_t nelem, size_t elsize);
PYMEMCHECK_API void *PyMem_Realloc(void *ptr, size_t new_size);
PYMEMCHECK_API void PyMem_Free(void *ptr);

/* OBJ domain. */
PYMEMCHECK_API void *PyObject_Malloc(size_t size);
PYMEMCHECK_API void *PyObject_Calloc(size_t nelem, size_t elsize);
PYMEMCHECK_API void *PyObject_Realloc(void *ptr, size_t new_size);
PYMEMCHECK_API void PyObject_Free(void *ptr);

/* ---- Macros (Include/pymem.h); soft-deprecated aliases since 3.4 ---- */

/* PyMem_New and PyMem_Resize refuse a count whose byte size would exceed
 * PY_SSIZE_T_MAX.  PyMem_Resize always assigns p, to NULL on failure, so
 * keep the old pointer elsewhere if it must be freed. */
#define PyMem_New(type, n)                                                     \
    (((size_t)(n) > PY_SSIZE_T_MAX / sizeof(type))                             \
         ? NULL                                                                \
         : ((type *)PyMem_Malloc((n) * sizeof(type))))
#define PyMem_Resize(p, type, n)                                               \
    ((p) = ((size_t)(n) > PY_SSIZE_T_MAX / sizeof(type))                       \
               ? NULL                                                          \
               : (type *)PyMem_Realloc((p), (n) * sizeof(type)))

#define PyMem_MALLOC(n) PyMem_Malloc(n)
#define PyMem_REALLOC(p, n) PyMem_Realloc((p), (n))
#define PyMem_FREE(p) PyMem_Free((p))
#define PyMem_NEW(type, n) PyMem_New(type, n)
#define PyMem_RESIZE(p, type, n) PyMem_Resize((p), type, (n))
#define PyMem_Del PyMem_Free
#define PyMem_DEL(p) PyMem_Free((p))

#define PyObject_MALLOC PyObject_Malloc
#define PyObject_REALLOC PyObject_Realloc
#define PyObject_FREE PyObject_Free
#define PyObject_Del PyObject_Free
#define PyObject_DEL PyObject_Free

/* ---- Customising allocators (Include/cpython/pymem.h) ---- */

typedef enum {
    /* PyMem_RawMalloc(), PyMem_RawRealloc() and PyMem_RawFree() */
    PYMEM_DOMAIN_RAW,
    /* PyMem_Malloc(), PyMem_Realloc() and PyMem_Free() */
    PYMEM_DOMAIN_MEM,
    /* PyObject_Malloc(), PyObject_Realloc() and PyObject_Free() */
    PYMEM_DOMAIN_OBJ
} PyMemAllocatorDomain;

/* The names PYTHONMALLOC accepts, as CPython numbers them (3.8+). */
typedef enum {
    PYMEM_ALLOCATOR_NOT_SET = 0,
    PYMEM_ALLOCATOR_DEFAULT = 1,
    PYMEM_ALLOCATOR_DEBUG = 2,
    PYMEM_ALLOCATOR_MALLOC = 3,
    PYMEM_ALLOCATOR_MALLOC_DEBUG = 4,
    PYMEM_ALLOCATOR_PYMALLOC = 5,
    PYMEM_ALLOCATOR_PYMALLOC_DEBUG = 6
} PyMemAllocatorName;

typedef struct {
    /* user context passed as the first argument to the 4 functions */
    void *ctx;
    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t nelem, size_t elsize);
    void *(*realloc)(void *ctx, void *ptr, size_t new_size);
    void (*free)(void *ctx, void *ptr);
} PyMemAllocatorEx;

/* Get and set copy the whole struct.  Get with an unknown domain fills it
 * with NULLs; set with an unknown domain does nothing. */
PYMEMCHECK_API void PyMem_GetAllocator(PyMemAllocatorDomain domain,
                                       PyMemAllocatorEx *allocator);
PYMEMCHECK_API void PyMem_SetAllocator(PyMemAllocatorDomain domain,
                                       PyMemAllocatorEx *allocator);

/* Install the debug hooks on all three domains (idempotent per domain as
 * long as the debug hook is still the installed allocator). */
PYMEMCHECK_API void PyMem_SetupDebugHooks(void);

/* ---- Arena allocator (Include/cpython/objimpl.h) ---- */

typedef struct {
    void *ctx;
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
} PyObjectArenaAllocator;

PYMEMCHECK_API void PyObject_GetArenaAllocator(PyObjectArenaAllocator *allocator);
PYMEMCHECK_API void PyObject_SetArenaAllocator(PyObjectArenaAllocator *allocator);

/* ---- Introspection (CPython's private but widely used entry points) ---- */

/* Print pymalloc's statistics to out in the format of
 * sys._debugmallocstats().  Returns 1 if it printed, 0 if pymalloc is not
 * the OBJ allocator (with or without debug hooks above it). */
PYMEMCHECK_API int _PyObject_DebugMallocStats(FILE *out);

/* Blocks currently allocated by pymalloc in the MEM and OBJ domains,
 * counting those that fell back to the RAW domain (sys.getallocatedblocks). */
PYMEMCHECK_API Py_ssize_t _Py_GetAllocatedBlocks(void);

/* Dump the debug-hook envelope around p to stderr, as CPython does before
 * a fatal memory error.  p must come from a domain with debug hooks. */
PYMEMCHECK_API void _PyObject_DebugDumpAddress(const void *p);

#ifdef __cplusplus
}
#endif

#endif /* PYMEMCHECK_PYMEM_H */
