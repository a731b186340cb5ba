// Reallocating a block whose trailing pads were overwritten: the check runs
// before the inner realloc and names _PyMem_DebugRawRealloc, in every
// domain.

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: env PYTHONMALLOC=debug not --crash %t 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines
 * RUN: env PYTHONMALLOC=malloc_debug not --crash %t 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines
 */

// CHECK:Debug memory block at address p=0x[[#%x,P:]]: API 'o'
// CHECK-NEXT:    24 bytes originally requested
// CHECK-NEXT:    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.
// CHECK-NEXT:    The 8 pad bytes at tail=0x[[#%x,P+24]] are not all FORBIDDENBYTE (0xfd):
// CHECK-NEXT:        at tail+0: 0xfd
// CHECK-NEXT:        at tail+1: 0xfd
// CHECK-NEXT:        at tail+2: 0xfd
// CHECK-NEXT:        at tail+3: 0x00 *** OUCH
// CHECK-NEXT:        at tail+4: 0xfd
// CHECK-NEXT:        at tail+5: 0xfd
// CHECK-NEXT:        at tail+6: 0xfd
// CHECK-NEXT:        at tail+7: 0xfd
// CHECK-NEXT:    Data at p: 00 01 02 03 04 05 06 07 ... 10 11 12 13 14 15 16 17
// CHECK-EMPTY:
// CHECK-NEXT:Enable tracemalloc to get the memory block allocation traceback
// CHECK-NEXT:pymemcheck: {{.+}}
// CHECK-EMPTY:
// CHECK-NEXT:Fatal Python error: _PyMem_DebugRawRealloc: bad trailing pad byte
#include <pymemcheck/pymem.h>

int main(void)
{
    unsigned char *p = PyObject_Malloc(24);
    if (p == NULL)
        return 1;
    for (int i = 0; i < 24; i++)
        p[i] = (unsigned char)i;
    p[27] = 0;
    p = PyObject_Realloc(p, 100);
    PyObject_Free(p);
    return 0;
}
