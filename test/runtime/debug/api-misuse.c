// A block freed through another domain than the one it came from: the API
// id says which.  CPython's test_mem.PyMemDebugTests.test_api_misuse
// (PyMem_Malloc, then PyMem_RawFree) and its PyObject/PyMem variant.

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: env PYTHONMALLOC=debug not --crash %t mem-raw 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefix=MEMRAW
 * RUN: env PYTHONMALLOC=debug not --crash %t obj-mem 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefix=OBJMEM
 * RUN: env PYTHONMALLOC=malloc_debug not --crash %t obj-mem 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefix=OBJMEM
 * RUN: env PYTHONMALLOC=debug not --crash %t raw-obj-realloc 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefix=RAWOBJ
 */

// MEMRAW:Debug memory block at address p=0x[[#%x,P:]]: API 'm'
// MEMRAW-NEXT:    16 bytes originally requested
// MEMRAW-NEXT:    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected.
// MEMRAW-NEXT:    The 8 pad bytes at tail=0x[[#%x,P+16]] are FORBIDDENBYTE, as expected.
// MEMRAW-NEXT:    Data at p: cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd
// MEMRAW-EMPTY:
// MEMRAW-NEXT:Enable tracemalloc to get the memory block allocation traceback
// MEMRAW-NEXT:pymemcheck: {{.+}}
// MEMRAW-EMPTY:
// MEMRAW-NEXT:Fatal Python error: _PyMem_DebugRawFree: bad ID: Allocated using API 'm', verified using API 'r'
//
// OBJMEM:Debug memory block at address p=0x{{[0-9a-f]+}}: API 'o'
// OBJMEM:Fatal Python error: _PyMem_DebugRawFree: bad ID: Allocated using API 'o', verified using API 'm'
//
// The function named is the RAW one whatever the domain, as in CPython.
// RAWOBJ:Debug memory block at address p=0x{{[0-9a-f]+}}: API 'r'
// RAWOBJ:Fatal Python error: _PyMem_DebugRawRealloc: bad ID: Allocated using API 'r', verified using API 'o'
#include <pymemcheck/pymem.h>

#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (strcmp(argv[1], "mem-raw") == 0)
        PyMem_RawFree(PyMem_Malloc(16));
    else if (strcmp(argv[1], "obj-mem") == 0)
        PyMem_Free(PyObject_Malloc(16));
    else if (strcmp(argv[1], "raw-obj-realloc") == 0)
        PyObject_Realloc(PyMem_RawMalloc(16), 32);
    return 0;
}
