// Writes just before a 16-byte PyMem_Malloc block, then frees it.  One byte
// before p hits the last leading pad ("bad leading pad byte"); eight bytes
// before p hit the API id, which is checked first, so the report is a bad
// ID, not a pad error (CPython's order of checks), even when a pad is hit
// as well.

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: env PYTHONMALLOC=debug not --crash %t 1 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefix=ONE
 * RUN: env PYTHONMALLOC=debug not --crash %t 8 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefix=EIGHT
 * RUN: env PYTHONMALLOC=debug not --crash %t 8 7 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefix=BOTH
 */

// Each check starts right after its colon, so indentation is checked too.
// ONE:Debug memory block at address p=0x[[#%x,P:]]: API 'm'
// ONE-NEXT:    16 bytes originally requested
// ONE-NEXT:    The 7 pad bytes at p-7 are not all FORBIDDENBYTE (0xfd):
// ONE-NEXT:        at p-7: 0xfd
// ONE-NEXT:        at p-6: 0xfd
// ONE-NEXT:        at p-5: 0xfd
// ONE-NEXT:        at p-4: 0xfd
// ONE-NEXT:        at p-3: 0xfd
// ONE-NEXT:        at p-2: 0xfd
// ONE-NEXT:        at p-1: 0x78 *** OUCH
// ONE-NEXT:    Because memory is corrupted at the start, the count of bytes requested
// ONE-NEXT:       may be bogus, and checking the trailing pad bytes may segfault.
// ONE-NEXT:    The 8 pad bytes at tail=0x[[#%x,P+16]] are FORBIDDENBYTE, as expected.
// ONE-NEXT:    Data at p: cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd
// ONE-EMPTY:
// ONE-NEXT:Enable tracemalloc to get the memory block allocation traceback
// ONE-NEXT:pymemcheck: {{.+}}
// ONE-EMPTY:
// ONE-NEXT:Fatal Python error: _PyMem_DebugRawFree: bad leading pad byte
//
// EIGHT:Debug memory block at address p=0x[[#%x,P:]]: API 'x'
// EIGHT-NEXT:    16 bytes originally requested
// EIGHT-NEXT:    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.
// EIGHT-NEXT:    The 8 pad bytes at tail=0x[[#%x,P+16]] are FORBIDDENBYTE, as expected.
// EIGHT-NEXT:    Data at p: cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd
// EIGHT-EMPTY:
// EIGHT-NEXT:Enable tracemalloc to get the memory block allocation traceback
// EIGHT-NEXT:pymemcheck: {{.+}}
// EIGHT-EMPTY:
// EIGHT-NEXT:Fatal Python error: _PyMem_DebugRawFree: bad ID: Allocated using API 'x', verified using API 'm'
//
// BOTH:Debug memory block at address p=0x{{[0-9a-f]+}}: API 'x'
// BOTH-NEXT:    16 bytes originally requested
// BOTH-NEXT:    The 7 pad bytes at p-7 are not all FORBIDDENBYTE (0xfd):
// BOTH-NEXT:        at p-7: 0x78 *** OUCH
// BOTH:Fatal Python error: _PyMem_DebugRawFree: bad ID: Allocated using API 'x', verified using API 'm'
#include <pymemcheck/pymem.h>

#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char *buffer = PyMem_Malloc(16);
    if (buffer == NULL)
        return 1;
    for (int i = 1; i < argc; i++)
        buffer[-atoi(argv[i])] = 'x';
    PyMem_Free(buffer);
    return 0;
}
