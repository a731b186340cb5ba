// A block that passes through two domains is counted once, at its
// outermost traced call: PyObject_Malloc(1000) goes through the OBJ hook,
// then pymalloc, which falls back to PyMem_RawMalloc through the RAW hook;
// it is one OBJ block of 1000 bytes at its call site, and the RAW domain
// counts nothing.  Zero-byte requests (also passed to RAW by pymalloc)
// and reallocs across the 512-byte boundary likewise.  With the debug
// hooks below the tracer (PYTHONMALLOC=debug: two nested envelopes), the
// same.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t | FileCheck %s --match-full-lines
// RUN: env PYTHONMALLOC=debug PYMEMCHECK=report=none %t | FileCheck %s --match-full-lines

#include "tracer_test.h"

int main(void)
{
    void *big = _PyObject_MallocTrace("ext.c", 1, 1000);
    void *zero = _PyMem_MallocTrace("ext.c", 2, 0);
    void *grow = _PyObject_MallocTrace("ext.c", 3, 100);
    grow = _PyObject_ReallocTrace("ext.c", 4, grow, 4000);
    void *raw = _PyMem_RawMallocTrace("ext.c", 5, 1000);
    print_sites(stdout);
    // CHECK:      ext.c:4 PyObject_Realloc live=1/4000 peak=4000 allocs=1 frees=0 failed=0
    // CHECK-NEXT: ext.c:1 PyObject_Malloc live=1/1000 peak=1000 allocs=1 frees=0 failed=0
    // CHECK-NEXT: ext.c:5 PyMem_RawMalloc live=1/1000 peak=1000 allocs=1 frees=0 failed=0
    // CHECK-NEXT: ext.c:2 PyMem_Malloc live=1/0 peak=0 allocs=1 frees=0 failed=0
    // CHECK-NEXT: ext.c:3 PyObject_Malloc live=0/0 peak=100 allocs=1 frees=1 failed=0
    // CHECK-NOT:  {{.}}
    size_t current, peak;
    pymemcheck_get_traced_memory(&current, &peak);
    printf("current=%zu\n", current);
    // CHECK-NEXT: current=6000
    _PyObject_FreeTrace("ext.c", 6, big);
    _PyMem_FreeTrace("ext.c", 7, zero);
    _PyObject_FreeTrace("ext.c", 8, grow);
    _PyMem_RawFreeTrace("ext.c", 9, raw);
    pymemcheck_get_traced_memory(&current, &peak);
    printf("current=%zu peak=%zu\n", current, peak);
    // CHECK-NEXT: current=0 peak=6000
    return 0;
}
