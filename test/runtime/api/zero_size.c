// Zero-byte requests give distinct non-NULL pointers in every domain,
// realloc(p, 0) resizes rather than frees, and realloc(NULL, n) allocates
// (CPython's test_pymem_alloc0 and the documented contract).  Run under
// each PYTHONMALLOC configuration, debug hooks included.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s
// RUN: env PYTHONMALLOC=malloc %t | FileCheck %s
// RUN: env PYTHONMALLOC=debug %t | FileCheck %s
// RUN: env PYTHONMALLOC=malloc_debug %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <string.h>

typedef struct {
    const char *name;
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
} api_t;

static void check(const api_t *api)
{
    void *a = api->malloc(0), *b = api->malloc(0);
    void *c = api->calloc(0, 0), *d = api->calloc(0, 7), *e = api->calloc(7, 0);
    printf("%s: malloc(0) non-NULL distinct: %d\n", api->name, a && b && a != b);
    printf("%s: calloc zero non-NULL: %d\n", api->name, c && d && e);

    char *r = api->realloc(NULL, 5);
    memcpy(r, "abcd", 5);
    char *z = api->realloc(r, 0);
    printf("%s: realloc(NULL, 5) non-NULL: %d, realloc(p, 0) non-NULL: %d\n", api->name,
           r != NULL, z != NULL);
    char *back = api->realloc(z, 3);
    printf("%s: realloc(p, 0) keeps a block that grows again: %d\n", api->name,
           back != NULL);

    void *blocks[] = {a, b, c, d, e, back};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        api->free(blocks[i]);
    api->free(NULL);
    printf("%s: free(NULL) ok\n", api->name);
}

int main(void)
{
    static const api_t apis[] = {
        {"raw", PyMem_RawMalloc, PyMem_RawCalloc, PyMem_RawRealloc, PyMem_RawFree},
        {"mem", PyMem_Malloc, PyMem_Calloc, PyMem_Realloc, PyMem_Free},
        {"obj", PyObject_Malloc, PyObject_Calloc, PyObject_Realloc, PyObject_Free},
    };
    for (size_t i = 0; i < 3; i++)
        check(&apis[i]);
    return 0;
}

// CHECK:      raw: malloc(0) non-NULL distinct: 1
// CHECK-NEXT: raw: calloc zero non-NULL: 1
// CHECK-NEXT: raw: realloc(NULL, 5) non-NULL: 1, realloc(p, 0) non-NULL: 1
// CHECK-NEXT: raw: realloc(p, 0) keeps a block that grows again: 1
// CHECK-NEXT: raw: free(NULL) ok
// CHECK-NEXT: mem: malloc(0) non-NULL distinct: 1
// CHECK-NEXT: mem: calloc zero non-NULL: 1
// CHECK-NEXT: mem: realloc(NULL, 5) non-NULL: 1, realloc(p, 0) non-NULL: 1
// CHECK-NEXT: mem: realloc(p, 0) keeps a block that grows again: 1
// CHECK-NEXT: mem: free(NULL) ok
// CHECK-NEXT: obj: malloc(0) non-NULL distinct: 1
// CHECK-NEXT: obj: calloc zero non-NULL: 1
// CHECK-NEXT: obj: realloc(NULL, 5) non-NULL: 1, realloc(p, 0) non-NULL: 1
// CHECK-NEXT: obj: realloc(p, 0) keeps a block that grows again: 1
// CHECK-NEXT: obj: free(NULL) ok
