// Each trace entry point behaves exactly like the function it replaces:
// same result for the same request, same errno on failure, errno left
// alone on success; and every block is recorded at its call site, with
// its function, freed or not (the tracer's snapshot).  Requests that fail
// before any allocator sees them (sizes past PY_SSIZE_T_MAX, calloc
// overflow, the C library's ENOMEM) record nothing.
//
// RUN: %cc -D_DEFAULT_SOURCE %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t | FileCheck %s --match-full-lines

#include "pymemcheck/pymem.h"
#include "pymemcheck/trace.h"
#include "pymemcheck/tracer.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printf("FAILED line %d: %s\n", __LINE__, #cond);                   \
            return 1;                                                          \
        }                                                                      \
    } while (0)

static int libc_rows(void)
{
    errno = 1234;
    char *p = pymemcheck_malloc_trace("libc.c", 1, 16);
    EXPECT(p != NULL && errno == 1234);
    memset(p, 'x', 16);
    p = pymemcheck_realloc_trace("libc.c", 2, p, 64);
    EXPECT(p != NULL && p[15] == 'x');
    pymemcheck_free_trace("libc.c", 3, p);
    pymemcheck_free_trace("libc.c", 3, NULL);

    int *z = pymemcheck_calloc_trace("libc.c", 4, 8, sizeof(int));
    EXPECT(z != NULL && z[0] == 0 && z[7] == 0);
    pymemcheck_free_trace("libc.c", 20, z);

    errno = 0;
    EXPECT(pymemcheck_malloc_trace("libc.c", 5, SIZE_MAX) == NULL);
    EXPECT(errno == ENOMEM);
    errno = 0;
    EXPECT(pymemcheck_calloc_trace("libc.c", 6, SIZE_MAX / 2, 4) == NULL);
    EXPECT(errno == ENOMEM);
    errno = 0;
    EXPECT(pymemcheck_reallocarray_trace("libc.c", 7, NULL, SIZE_MAX / 2, 4) == NULL);
    EXPECT(errno == ENOMEM);

    char *s = pymemcheck_strdup_trace("libc.c", 8, "pymemcheck");
    EXPECT(s != NULL && strcmp(s, "pymemcheck") == 0);
    char *n = pymemcheck_strndup_trace("libc.c", 9, s, 5);
    EXPECT(n != NULL && strcmp(n, "pymem") == 0);
    pymemcheck_free_trace("libc.c", 20, s);
    pymemcheck_free_trace("libc.c", 20, n);

    void *a = pymemcheck_aligned_alloc_trace("libc.c", 10, 64, 128);
    EXPECT(a != NULL && (uintptr_t)a % 64 == 0);
    pymemcheck_free_trace("libc.c", 20, a);

    void *m = NULL;
    EXPECT(pymemcheck_posix_memalign_trace("libc.c", 11, &m, 256, 10) == 0);
    EXPECT(m != NULL && (uintptr_t)m % 256 == 0);
    pymemcheck_free_trace("libc.c", 20, m);
    m = &m;
    EXPECT(pymemcheck_posix_memalign_trace("libc.c", 12, &m, 3, 10) == EINVAL);
    EXPECT(m == &m); /* untouched on failure */

    int *r = pymemcheck_reallocarray_trace("libc.c", 13, NULL, 4, sizeof(int));
    EXPECT(r != NULL);
    pymemcheck_free_trace("libc.c", 20, r);
    return 0;
}

static int pep445_rows(void)
{
    void *p = _PyMem_RawMallocTrace("pep445.c", 1, 0);
    EXPECT(p != NULL); /* zero bytes: a distinct non-NULL pointer */
    p = _PyMem_RawReallocTrace("pep445.c", 2, p, 32);
    EXPECT(p != NULL);
    _PyMem_RawFreeTrace("pep445.c", 3, p);
    int *c = _PyMem_RawCallocTrace("pep445.c", 4, 4, sizeof(int));
    EXPECT(c != NULL && c[3] == 0);
    PyMem_RawFree(c);

    EXPECT(_PyMem_MallocTrace("pep445.c", 5, (size_t)PY_SSIZE_T_MAX + 1) == NULL);
    EXPECT(_PyMem_CallocTrace("pep445.c", 6, (size_t)PY_SSIZE_T_MAX, 2) == NULL);
    p = _PyMem_MallocTrace("pep445.c", 7, 24);
    EXPECT(p != NULL);
    p = _PyMem_ReallocTrace("pep445.c", 8, p, 48);
    EXPECT(p != NULL);
    _PyMem_FreeTrace("pep445.c", 9, p);

    p = _PyObject_MallocTrace("pep445.c", 10, 100);
    EXPECT(p != NULL);
    EXPECT(_PyObject_ReallocTrace("pep445.c", 11, p, (size_t)PY_SSIZE_T_MAX + 1) == NULL);
    _PyObject_FreeTrace("pep445.c", 12, p);
    c = _PyObject_CallocTrace("pep445.c", 13, 2, 8);
    EXPECT(c != NULL && c[0] == 0);
    PyObject_Free(c);
    return 0;
}

int main(void)
{
    if (libc_rows() || pep445_rows())
        return 1;
    pymemcheck_snapshot *snapshot = pymemcheck_snapshot_take();
    size_t n;
    const pymemcheck_site_stats *sites = pymemcheck_snapshot_sites(snapshot, &n);
    printf("sites: %zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("%s:%d %s allocs=%llu frees=%llu\n", sites[i].file, sites[i].line,
               sites[i].api, (unsigned long long)sites[i].allocs,
               (unsigned long long)sites[i].frees);
    pymemcheck_snapshot_free(snapshot);
    return 0;
}

// CHECK:      sites: 15
// CHECK-NEXT: libc.c:1 malloc allocs=1 frees=1
// CHECK-NEXT: libc.c:2 realloc allocs=1 frees=1
// CHECK-NEXT: libc.c:4 calloc allocs=1 frees=1
// CHECK-NEXT: libc.c:8 strdup allocs=1 frees=1
// CHECK-NEXT: libc.c:9 strndup allocs=1 frees=1
// CHECK-NEXT: libc.c:10 aligned_alloc allocs=1 frees=1
// CHECK-NEXT: libc.c:11 posix_memalign allocs=1 frees=1
// CHECK-NEXT: libc.c:13 reallocarray allocs=1 frees=1
// CHECK-NEXT: pep445.c:1 PyMem_RawMalloc allocs=1 frees=1
// CHECK-NEXT: pep445.c:2 PyMem_RawRealloc allocs=1 frees=1
// CHECK-NEXT: pep445.c:4 PyMem_RawCalloc allocs=1 frees=1
// CHECK-NEXT: pep445.c:7 PyMem_Malloc allocs=1 frees=1
// CHECK-NEXT: pep445.c:8 PyMem_Realloc allocs=1 frees=1
// CHECK-NEXT: pep445.c:10 PyObject_Malloc allocs=1 frees=1
// CHECK-NEXT: pep445.c:13 PyObject_Calloc allocs=1 frees=1
// CHECK-NOT:  {{.}}
