// A traced call made before the library's own initialisation (a static
// initializer of another object file, here a constructor that runs
// first) starts tracing with PYMEMCHECK already applied, and when
// PYTHONMALLOC then resets the domains the tracer's hooks go back on top:
// blocks allocated before main and after it are all recorded.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYTHONMALLOC=malloc PYMEMCHECK=output=stdout:min_bytes=10 %t | FileCheck %s --match-full-lines
// RUN: env PYMEMCHECK=output=stdout:min_bytes=10 %t | FileCheck %s --match-full-lines

#include "tracer_test.h"

static void *early;

__attribute__((constructor(101))) static void before_the_library(void)
{
    early = _PyMem_MallocTrace("early.c", 1, 100);
}

int main(void)
{
    EXPECT(early != NULL);
    _PyObject_MallocTrace("late.c", 2, 50);
    _PyMem_MallocTrace("small.c", 3, 5);
    return 0;
}

// CHECK:      pymemcheck: 100 bytes in 1 block allocated at early.c:1 by PyMem_Malloc
// CHECK-NEXT: pymemcheck: 50 bytes in 1 block allocated at late.c:2 by PyObject_Malloc
// CHECK-NEXT: pymemcheck: 5 more bytes in 1 block at 1 site not listed (min_bytes, max_sites or untraced)
// CHECK-NEXT: pymemcheck: SUMMARY: 150 bytes leaked in 2 blocks from 2 sites; peak 155 bytes
