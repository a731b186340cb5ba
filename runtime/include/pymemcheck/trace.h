/*
 * pymemcheck/trace.h: the trace entry points.
 *
 * With -fplugin-arg-pymemcheck-trace, the pymemcheck Clang plugin rewrites
 * every call to a function of the call catalog (pymemcheck/calls.def) into
 * a call to its trace entry point, with the call's file and line first:
 *
 *     p = PyMem_Malloc(n);   becomes   p = _PyMem_MallocTrace("ext.c", 42, n);
 *
 * This header declares one entry point per row of the catalog.  Each
 * behaves exactly like the function it replaces (same checks, same result,
 * same errno) and attaches the call site to the block it allocates, for
 * the tracer (pymemcheck/tracer.h, docs/tracer.md).  Including it is optional: the
 * plugin declares an entry point itself when no declaration is in scope.
 *
 * It stands alone (no pymem.h), so it can be used next to <Python.h>.
 */
#ifndef PYMEMCHECK_TRACE_H
#define PYMEMCHECK_TRACE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PYMEMCHECK_TRACE_API __declspec(dllimport)
#elif defined(__GNUC__)
#define PYMEMCHECK_TRACE_API __attribute__((visibility("default")))
#else
#define PYMEMCHECK_TRACE_API
#endif

/* The C library declares its allocation functions as never throwing
 * (noexcept in C++); their trace entry points say the same, so C++ code
 * around a rewritten call needs no new exception-handling paths.  The
 * PEP 445 functions make no such promise. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define PYMEMCHECK_TRACE_NOTHROW_LIBC noexcept
#elif defined(__cplusplus)
#define PYMEMCHECK_TRACE_NOTHROW_LIBC throw()
#elif defined(__GNUC__)
#define PYMEMCHECK_TRACE_NOTHROW_LIBC __attribute__((__nothrow__))
#else
#define PYMEMCHECK_TRACE_NOTHROW_LIBC
#endif
#define PYMEMCHECK_TRACE_NOTHROW_RAW
#define PYMEMCHECK_TRACE_NOTHROW_MEM
#define PYMEMCHECK_TRACE_NOTHROW_OBJ

/* The signature of each Operation of calls.def, with the call site first. */
#define PYMEMCHECK_TRACE_SIGNATURE_MALLOC(T)                                   \
    void *T(const char *filename, int lineno, size_t size)
#define PYMEMCHECK_TRACE_SIGNATURE_CALLOC(T)                                   \
    void *T(const char *filename, int lineno, size_t nelem, size_t elsize)
#define PYMEMCHECK_TRACE_SIGNATURE_REALLOC(T)                                  \
    void *T(const char *filename, int lineno, void *ptr, size_t size)
#define PYMEMCHECK_TRACE_SIGNATURE_FREE(T)                                     \
    void T(const char *filename, int lineno, void *ptr)
#define PYMEMCHECK_TRACE_SIGNATURE_STRDUP(T)                                   \
    char *T(const char *filename, int lineno, const char *s)
#define PYMEMCHECK_TRACE_SIGNATURE_STRNDUP(T)                                  \
    char *T(const char *filename, int lineno, const char *s, size_t n)
#define PYMEMCHECK_TRACE_SIGNATURE_ALIGNED_ALLOC(T)                            \
    void *T(const char *filename, int lineno, size_t alignment, size_t size)
#define PYMEMCHECK_TRACE_SIGNATURE_POSIX_MEMALIGN(T)                           \
    int T(const char *filename, int lineno, void **out, size_t alignment,      \
          size_t size)
#define PYMEMCHECK_TRACE_SIGNATURE_REALLOCARRAY(T)                             \
    void *T(const char *filename, int lineno, void *ptr, size_t nelem,         \
            size_t elsize)

/* _PyMem_MallocTrace, _PyObject_FreeTrace, pymemcheck_malloc_trace, ... */
#define PYMEMCHECK_CALL(Name, Family, Operation, NeedsThreadState, TraceName)  \
    PYMEMCHECK_TRACE_API PYMEMCHECK_TRACE_SIGNATURE_##Operation(TraceName)     \
        PYMEMCHECK_TRACE_NOTHROW_##Family;
#include "pymemcheck/calls.def"

#ifdef __cplusplus
}
#endif

#endif /* PYMEMCHECK_TRACE_H */
