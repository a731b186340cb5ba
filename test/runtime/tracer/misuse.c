// Misuse reports name both call sites: where the block was allocated and
// where it was misused.  Each is counted in the report's summary.
//  - wrong family (PyObject_Free on a PyMem_Malloc block, free() on a
//    PyMem_RawMalloc block, PyMem_RawFree on a malloc block): reported,
//    and the call goes on as written (it works with these allocators);
//  - double free, realloc of a freed block: reported with where it was
//    freed, and not passed to the allocator (that would corrupt it);
//  - a free of an address no traced allocator returned: reported when
//    tracing started at load, so that the table has every block
//    (start=load); never with the lazy start, where blocks from before the
//    start are freed all the time;
//  - a misuse by untraced code is reported as such;
//  - on_misuse=abort aborts after the report.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK= %t wrong 2>&1 | FileCheck %s --check-prefix=WRONG --match-full-lines
// RUN: env PYMEMCHECK= %t double 2>&1 | FileCheck %s --check-prefix=DOUBLE --match-full-lines
// RUN: env PYMEMCHECK= %t realloc 2>&1 | FileCheck %s --check-prefix=REALLOC --match-full-lines
// RUN: env PYMEMCHECK=start=load %t never 2>&1 | FileCheck %s --check-prefix=NEVER --match-full-lines
// RUN: env PYMEMCHECK= %t never 2>&1 | FileCheck %s --check-prefix=LAZY --allow-empty
// RUN: env PYMEMCHECK=on_misuse=abort not --crash %t double 2>&1 | FileCheck %s --check-prefix=ABORT --match-full-lines

#include "tracer_test.h"

static void wrong_family(void)
{
    void *p = _PyMem_MallocTrace("ext.c", 42, 64);
    _PyObject_FreeTrace("ext.c", 57, p);
    // WRONG: pymemcheck: misuse: PyObject_Free at ext.c:57 on a block allocated at ext.c:42 by PyMem_Malloc (64 bytes at 0x{{[0-9a-f]+}}): wrong family, free it with PyMem_Free; the call goes on as written
    void *r = _PyMem_RawMallocTrace("raw.c", 3, 10);
    pymemcheck_free_trace("raw.c", 4, r);
    // WRONG-NEXT: pymemcheck: misuse: free at raw.c:4 on a block allocated at raw.c:3 by PyMem_RawMalloc (10 bytes at 0x{{[0-9a-f]+}}): wrong family, free it with PyMem_RawFree; the call goes on as written
    void *m = pymemcheck_malloc_trace("lib.c", 5, 20);
    m = _PyMem_RawReallocTrace("lib.c", 6, m, 30);
    // WRONG-NEXT: pymemcheck: misuse: PyMem_RawRealloc at lib.c:6 on a block allocated at lib.c:5 by malloc (20 bytes at 0x{{[0-9a-f]+}}): wrong family, resize it with realloc; the call goes on as written
    _PyMem_RawFreeTrace("lib.c", 7, m);
    void *o = _PyObject_MallocTrace("obj.c", 8, 16);
    untraced_mem_free(o);
    // WRONG-NEXT: pymemcheck: misuse: PyMem_Free in untraced code on a block allocated at obj.c:8 by PyObject_Malloc (16 bytes at 0x{{[0-9a-f]+}}): wrong family, free it with PyObject_Free; the call goes on as written
    // WRONG-NEXT: pymemcheck: SUMMARY: 0 bytes leaked in 0 blocks from 0 sites; peak 64 bytes
    // WRONG-NEXT: pymemcheck: 4 misuses reported (see the messages above)
}

static void double_free(void)
{
    void *p = _PyMem_MallocTrace("ext.c", 42, 64);
    _PyMem_FreeTrace("ext.c", 57, p);
    _PyMem_FreeTrace("ext.c", 60, p);
    // DOUBLE: pymemcheck: misuse: double free: PyMem_Free at ext.c:60 on a block allocated at ext.c:42 by PyMem_Malloc (at 0x{{[0-9a-f]+}}), already freed at ext.c:57 by PyMem_Free; this free was not done
    // ABORT: pymemcheck: misuse: double free: PyMem_Free at ext.c:60 on a block allocated at ext.c:42 by PyMem_Malloc (at 0x{{[0-9a-f]+}}), already freed at ext.c:57 by PyMem_Free; this free was not done
    // ABORT-NEXT: pymemcheck: aborting on misuse (on_misuse=abort in PYMEMCHECK)
    void *q = _PyObject_MallocTrace("obj.c", 1, 600);
    untraced_obj_free(q);
    untraced_obj_free(q);
    // DOUBLE-NEXT: pymemcheck: misuse: double free: PyObject_Free in untraced code on a block allocated at obj.c:1 by PyObject_Malloc (at 0x{{[0-9a-f]+}}), already freed by untraced code; this free was not done
    /* The memory is still the allocator's, unharmed: both come back. */
    void *a = _PyMem_MallocTrace("ext.c", 70, 64);
    void *b = _PyMem_MallocTrace("ext.c", 71, 64);
    EXPECT(a != b);
    _PyMem_FreeTrace("ext.c", 72, a);
    _PyMem_FreeTrace("ext.c", 73, b);
    // DOUBLE-NEXT: pymemcheck: SUMMARY: 0 bytes leaked in 0 blocks from 0 sites; peak 600 bytes
    // DOUBLE-NEXT: pymemcheck: 2 misuses reported (see the messages above)
}

static void realloc_freed(void)
{
    void *p = _PyObject_MallocTrace("ext.c", 42, 64);
    _PyObject_FreeTrace("ext.c", 57, p);
    EXPECT(_PyObject_ReallocTrace("ext.c", 70, p, 128) == NULL);
    // REALLOC: pymemcheck: misuse: use after free: PyObject_Realloc at ext.c:70 on a block allocated at ext.c:42 by PyObject_Malloc (at 0x{{[0-9a-f]+}}), already freed at ext.c:57 by PyObject_Free; the realloc was not done and returned NULL
    // REALLOC-NEXT: pymemcheck: SUMMARY: 0 bytes leaked in 0 blocks from 0 sites; peak 64 bytes
}

static void never_allocated(void)
{
    void *q = untraced_malloc(32);   /* the C library's, never traced */
    _PyMem_RawFreeTrace("ext.c", 9, q);
    // NEVER: pymemcheck: misuse: PyMem_RawFree at ext.c:9 on 0x{{[0-9a-f]+}}, which no traced allocator returned since tracing started (memory from another allocator, an interior pointer, or not heap memory at all); the call goes on as written
    // NEVER-NEXT: pymemcheck: SUMMARY: 0 bytes leaked in 0 blocks from 0 sites; peak 0 bytes
    // NEVER-NEXT: pymemcheck: 1 misuse reported (see the messages above)
    // LAZY-NOT: misuse
}

int main(int argc, char **argv)
{
    EXPECT(argc == 2);
    if (strcmp(argv[1], "wrong") == 0)
        wrong_family();
    else if (strcmp(argv[1], "double") == 0)
        double_free();
    else if (strcmp(argv[1], "realloc") == 0)
        realloc_freed();
    else
        never_allocated();
    return 0;
}
