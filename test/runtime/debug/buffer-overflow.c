// One byte written past a 16-byte PyMem_Malloc block, then freed: CPython's
// test_mem.PyMemDebugTests.test_buffer_overflow, under each PYTHONMALLOC
// that installs the debug hooks.  The dump is CPython's, line for line.

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: env PYTHONMALLOC=debug not --crash %t 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines
 * RUN: env PYTHONMALLOC=pymalloc_debug not --crash %t 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines
 * RUN: env PYTHONMALLOC=malloc_debug not --crash %t 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines
 */

// Each check starts right after its colon, so indentation is checked too.
// CHECK:Debug memory block at address p=0x[[#%x,P:]]: API 'm'
// CHECK-NEXT:    16 bytes originally requested
// CHECK-NEXT:    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.
// CHECK-NEXT:    The 8 pad bytes at tail=0x[[#%x,P+16]] are not all FORBIDDENBYTE (0xfd):
// CHECK-NEXT:        at tail+0: 0x78 *** OUCH
// CHECK-NEXT:        at tail+1: 0xfd
// CHECK-NEXT:        at tail+2: 0xfd
// CHECK-NEXT:        at tail+3: 0xfd
// CHECK-NEXT:        at tail+4: 0xfd
// CHECK-NEXT:        at tail+5: 0xfd
// CHECK-NEXT:        at tail+6: 0xfd
// CHECK-NEXT:        at tail+7: 0xfd
// CHECK-NEXT:    Data at p: cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd
// CHECK-EMPTY:
// CHECK-NEXT:Enable tracemalloc to get the memory block allocation traceback
// CHECK-NEXT:pymemcheck: no allocation site is recorded for this block; {{.+}}
// CHECK-EMPTY:
// CHECK-NEXT:Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte
#include <pymemcheck/pymem.h>

int main(void)
{
    char *buffer = PyMem_Malloc(16);
    if (buffer == NULL)
        return 1;
    buffer[16] = 'x';
    PyMem_Free(buffer);
    return 0;
}
