// A hook installed on each domain sees exactly the ctx, sizes and pointers
// of every call (CPython's test_pymem_set{raw,}allocators and
// test_pyobject_setallocators), and restoring the old allocator restores
// the old behaviour.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    PyMemAllocatorEx orig;
    int calls;
    void *ctx_seen;
    size_t size, nelem, elsize;
    void *ptr;
} hook_t;

static void *hook_malloc(void *ctx, size_t size)
{
    hook_t *h = ctx;
    h->calls++;
    h->ctx_seen = ctx;
    h->size = size;
    return h->orig.malloc(h->orig.ctx, size);
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    hook_t *h = ctx;
    h->calls++;
    h->ctx_seen = ctx;
    h->nelem = nelem;
    h->elsize = elsize;
    return h->orig.calloc(h->orig.ctx, nelem, elsize);
}

static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    hook_t *h = ctx;
    h->calls++;
    h->ctx_seen = ctx;
    h->ptr = ptr;
    h->size = size;
    return h->orig.realloc(h->orig.ctx, ptr, size);
}

static void hook_free(void *ctx, void *ptr)
{
    hook_t *h = ctx;
    h->calls++;
    h->ctx_seen = ctx;
    h->ptr = ptr;
    h->orig.free(h->orig.ctx, ptr);
}

typedef struct {
    const char *name;
    PyMemAllocatorDomain domain;
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
} api_t;

static void check(const api_t *api)
{
    hook_t hook;
    memset(&hook, 0, sizeof hook);
    PyMem_GetAllocator(api->domain, &hook.orig);
    PyMemAllocatorEx alloc = {&hook, hook_malloc, hook_calloc, hook_realloc, hook_free};
    PyMem_SetAllocator(api->domain, &alloc);

    void *p = api->malloc(42);
    printf("%s malloc: size=%zu ctx=%s calls=%d\n", api->name, hook.size,
           hook.ctx_seen == &hook ? "hook" : "WRONG", hook.calls);

    void *q = api->realloc(p, 200);
    printf("%s realloc: ptr=%s size=%zu calls=%d\n", api->name,
           hook.ptr == p ? "same" : "WRONG", hook.size, hook.calls);

    api->free(q);
    printf("%s free: ptr=%s calls=%d\n", api->name, hook.ptr == q ? "same" : "WRONG",
           hook.calls);

    void *c = api->calloc(2, 5);
    printf("%s calloc: nelem=%zu elsize=%zu calls=%d\n", api->name, hook.nelem,
           hook.elsize, hook.calls);
    api->free(c);

    PyMemAllocatorEx now;
    PyMem_GetAllocator(api->domain, &now);
    printf("%s get returns the hook: %s\n", api->name,
           memcmp(&now, &alloc, sizeof now) == 0 ? "yes" : "no");

    PyMem_SetAllocator(api->domain, &hook.orig);
    int before = hook.calls;
    api->free(api->malloc(10));
    printf("%s restored: calls after restore=%d\n", api->name, hook.calls - before);
}

int main(void)
{
    static const api_t apis[] = {
        {"raw", PYMEM_DOMAIN_RAW, PyMem_RawMalloc, PyMem_RawCalloc, PyMem_RawRealloc,
         PyMem_RawFree},
        {"mem", PYMEM_DOMAIN_MEM, PyMem_Malloc, PyMem_Calloc, PyMem_Realloc, PyMem_Free},
        {"obj", PYMEM_DOMAIN_OBJ, PyObject_Malloc, PyObject_Calloc, PyObject_Realloc,
         PyObject_Free},
    };
    for (size_t i = 0; i < 3; i++)
        check(&apis[i]);
    return 0;
}

// CHECK:      raw malloc: size=42 ctx=hook calls=1
// CHECK-NEXT: raw realloc: ptr=same size=200 calls=2
// CHECK-NEXT: raw free: ptr=same calls=3
// CHECK-NEXT: raw calloc: nelem=2 elsize=5 calls=4
// CHECK-NEXT: raw get returns the hook: yes
// CHECK-NEXT: raw restored: calls after restore=0
// CHECK-NEXT: mem malloc: size=42 ctx=hook calls=1
// CHECK-NEXT: mem realloc: ptr=same size=200 calls=2
// CHECK-NEXT: mem free: ptr=same calls=3
// CHECK-NEXT: mem calloc: nelem=2 elsize=5 calls=4
// CHECK-NEXT: mem get returns the hook: yes
// CHECK-NEXT: mem restored: calls after restore=0
// CHECK-NEXT: obj malloc: size=42 ctx=hook calls=1
// CHECK-NEXT: obj realloc: ptr=same size=200 calls=2
// CHECK-NEXT: obj free: ptr=same calls=3
// CHECK-NEXT: obj calloc: nelem=2 elsize=5 calls=4
// CHECK-NEXT: obj get returns the hook: yes
// CHECK-NEXT: obj restored: calls after restore=0
