// Every request of 1..512 bytes is served by pymalloc, 16-byte aligned, from
// the size class of 16 * ceil(n / 16) bytes: blocks carved one after the
// other from a pool sit exactly one class size apart, and no two blocks
// overlap.  Each allocation adds one to _Py_GetAllocatedBlocks.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <stdint.h>
#include <string.h>

enum { PER_SIZE = 4 };

static unsigned char *blocks[513][PER_SIZE];
static int failures;

static void fail(const char *what, size_t n)
{
    if (failures++ < 10)
        printf("FAIL size %zu: %s\n", n, what);
}

static unsigned char fill_byte(size_t n, int i)
{
    return (unsigned char)(n * 7 + (size_t)i);
}

int main(void)
{
    Py_ssize_t before = _Py_GetAllocatedBlocks();
    for (size_t n = 1; n <= 512; n++) {
        size_t class_size = (n + 15) / 16 * 16;
        int adjacent = 0;
        for (int i = 0; i < PER_SIZE; i++) {
            blocks[n][i] = PyObject_Malloc(n);
            if (blocks[n][i] == NULL || (uintptr_t)blocks[n][i] % 16 != 0)
                fail("NULL or not 16-byte aligned", n);
            memset(blocks[n][i], fill_byte(n, i), n);
            if (i > 0 && blocks[n][i] - blocks[n][i - 1] == (ptrdiff_t)class_size)
                adjacent++;
        }
        /* Pools of one class are shared by 16 sizes and may fill up in the
         * middle of a run, but never twice in a row of four. */
        if (adjacent < PER_SIZE - 2)
            fail("consecutive blocks are not one class size apart", n);
    }
    printf("allocated: %zd\n", _Py_GetAllocatedBlocks() - before);
    for (size_t n = 1; n <= 512; n++)
        for (int i = 0; i < PER_SIZE; i++)
            for (size_t k = 0; k < n; k++)
                if (blocks[n][i][k] != fill_byte(n, i)) {
                    fail("overwritten by another block", n);
                    break;
                }
    for (size_t n = 1; n <= 512; n++)
        for (int i = 0; i < PER_SIZE; i++)
            PyObject_Free(blocks[n][i]);
    printf("after free: %zd\n", _Py_GetAllocatedBlocks() - before);
    printf("failures: %d\n", failures);
    return 0;
}

// CHECK-NOT: FAIL
// CHECK: allocated: 2048
// CHECK-NEXT: after free: 0
// CHECK-NEXT: failures: 0
