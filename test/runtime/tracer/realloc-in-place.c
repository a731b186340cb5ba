// pymalloc keeps a block in place when a realloc shrinks it by less than a
// quarter, or grows it within its size class: a 90-byte block (96-byte
// class) reallocated to 77 bytes (an 80-byte request) stays where it is.
// The pool's table must keep its block size then (block_table.c,
// pmc_table_insert_kept): taken for a pool carved again for 80-byte
// blocks, it sent a correct program's later frees to false double-free
// reports, held those frees back, and reported the blocks as leaked.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=start=load:report=none %t 2>&1 | FileCheck %s --match-full-lines

#include "tracer_test.h"

int main(void)
{
    int kept = 0;
    for (int round = 0; round < 4; round++) {
        void *a = _PyMem_MallocTrace("r.c", 1, 90);
        void *b = _PyMem_MallocTrace("r.c", 2, 90);
        void *shrunk = _PyMem_ReallocTrace("r.c", 3, b, 77);
        kept += shrunk == b;
        /* A chain of in-place resizes of a block whose request size no
         * longer names its pool's size class. */
        shrunk = _PyMem_ReallocTrace("r.c", 4, shrunk, 78);
        kept += shrunk == b;
        shrunk = untraced_mem_realloc(shrunk, 90);     /* in place */
        kept += shrunk == b;
        shrunk = _PyMem_ReallocTrace("r.c", 5, shrunk, 73);
        kept += shrunk == b;
        _PyMem_FreeTrace("r.c", 6, a);
        _PyMem_FreeTrace("r.c", 7, shrunk);
    }
    /* Same on the OBJ domain, where the last free is untraced. */
    for (int round = 0; round < 4; round++) {
        void *a = _PyObject_MallocTrace("r.c", 11, 90);
        void *b = _PyObject_MallocTrace("r.c", 12, 90);
        void *shrunk = _PyObject_ReallocTrace("r.c", 13, b, 77);
        _PyObject_FreeTrace("r.c", 14, a);
        untraced_obj_free(shrunk);
    }
    printf("kept in place: %d of 16\n", kept);
    // CHECK: kept in place: 16 of 16
    size_t current, peak;
    pymemcheck_get_traced_memory(&current, &peak);
    printf("live bytes: %zu, peak %zu\n", current, peak);
    // CHECK-NEXT: live bytes: 0, peak 180
    print_sites(stdout);
    // CHECK-NEXT: r.c:1 PyMem_Malloc live=0/0 peak=90 allocs=4 frees=4 failed=0
    // CHECK-NEXT: r.c:2 PyMem_Malloc live=0/0 peak=90 allocs=4 frees=4 failed=0
    // CHECK-NEXT: r.c:3 PyMem_Realloc live=0/0 peak=77 allocs=4 frees=4 failed=0
    // CHECK-NEXT: r.c:4 PyMem_Realloc live=0/0 peak=90 allocs=8 frees=8 failed=0
    // CHECK-NEXT: r.c:5 PyMem_Realloc live=0/0 peak=73 allocs=4 frees=4 failed=0
    // CHECK-NEXT: r.c:11 PyObject_Malloc live=0/0 peak=90 allocs=4 frees=4 failed=0
    // CHECK-NEXT: r.c:12 PyObject_Malloc live=0/0 peak=90 allocs=4 frees=4 failed=0
    // CHECK-NEXT: r.c:13 PyObject_Realloc live=0/0 peak=77 allocs=4 frees=4 failed=0
    // CHECK-NOT:  {{.}}
    return 0;
}
