// _PyObject_DebugDumpAddress() on healthy blocks of several sizes: up to 8
// data bytes from the start, then " ..." and the last 8 when more remain,
// no data line for an empty block, and only the first line for NULL.

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: env PYTHONMALLOC=debug %t 2>&1 | FileCheck %s --strict-whitespace --match-full-lines
 */

// CHECK:Debug memory block at address p=0x[[#%x,P0:]]: API 'm'
// CHECK-NEXT:    0 bytes originally requested
// CHECK-NEXT:    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.
// CHECK-NEXT:    The 8 pad bytes at tail=0x[[#%x,P0]] are FORBIDDENBYTE, as expected.
// CHECK-EMPTY:
// CHECK-NEXT:Enable tracemalloc to get the memory block allocation traceback
// CHECK-NEXT:pymemcheck: no allocation site is recorded for this block; {{.+}}
// CHECK-EMPTY:
// CHECK-NEXT:Debug memory block at address p=0x{{[0-9a-f]+}}: API 'r'
// CHECK-NEXT:    8 bytes originally requested
// CHECK-NEXT:    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.
// CHECK-NEXT:    The 8 pad bytes at tail=0x{{[0-9a-f]+}} are FORBIDDENBYTE, as expected.
// CHECK-NEXT:    Data at p: 00 01 02 03 04 05 06 07
// CHECK-EMPTY:
// CHECK:    16 bytes originally requested
// CHECK:    Data at p: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
// CHECK:    17 bytes originally requested
// CHECK:    Data at p: 00 01 02 03 04 05 06 07 ... 09 0a 0b 0c 0d 0e 0f 10
// CHECK:    1000 bytes originally requested
// CHECK:    Data at p: 00 01 02 03 04 05 06 07 ... e0 e1 e2 e3 e4 e5 e6 e7
// CHECK:Debug memory block at address p={{.+}}:
// CHECK-NEXT:done
#include <pymemcheck/pymem.h>

#include <stdio.h>

static void dump(void *(*alloc)(size_t), void (*release)(void *), size_t n)
{
    unsigned char *p = alloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)i;
    _PyObject_DebugDumpAddress(p);
    release(p);
}

int main(void)
{
    dump(PyMem_Malloc, PyMem_Free, 0);
    dump(PyMem_RawMalloc, PyMem_RawFree, 8);
    dump(PyObject_Malloc, PyObject_Free, 16);
    dump(PyObject_Malloc, PyObject_Free, 17);
    dump(PyMem_RawMalloc, PyMem_RawFree, 1000);
    _PyObject_DebugDumpAddress(NULL);
    fflush(stderr);
    fputs("done\n", stderr);
    return 0;
}
