// PYTHONMALLOCSTATS prints pymalloc's statistics each time it is about to
// map a new arena, and at exit, as CPython does: a program that needs
// three 1 MiB arenas for 2 MiB of 512-byte objects shows the three dumps
// made before each (0, 1 and 2 arenas so far), then the one at exit.
// Without the variable, nothing.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: env PYTHONMALLOCSTATS=1 %t 2>&1 | FileCheck %s
// RUN: %t 2>&1 | FileCheck %s --check-prefix=QUIET --allow-empty

#include "pymemcheck/pymem.h"

#include <stdio.h>

enum { BLOCKS = 4096, SIZE = 512 };

int main(void)
{
    static void *blocks[BLOCKS];
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = PyObject_Malloc(SIZE);
    fprintf(stderr, "allocated\n");
    for (int i = 0; i < BLOCKS; i++)
        PyObject_Free(blocks[i]);
    return 0;
}

// CHECK:      Small block threshold = 512, in 32 size classes.
// CHECK:      # arenas allocated total = 0{{$}}
// CHECK:      Small block threshold = 512, in 32 size classes.
// CHECK:      # arenas allocated total = 1{{$}}
// CHECK:      Small block threshold = 512, in 32 size classes.
// CHECK:      # arenas allocated total = 2{{$}}
// CHECK-NOT:  Small block threshold
// CHECK:      {{^}}allocated{{$}}
// CHECK-NEXT: Small block threshold = 512, in 32 size classes.
// CHECK:      # arenas allocated total = 3{{$}}
// CHECK-NOT:  Small block threshold

// QUIET-NOT: Small block threshold
