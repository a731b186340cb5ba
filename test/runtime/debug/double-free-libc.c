// Double frees of blocks whose memory went back to glibc, with no stand-in
// allocator: a RAW block (glibc's tcache writes over the id and the pads)
// and a 600-byte PyMem block (pymalloc passes it to the RAW domain, so it
// carries an 'r' envelope inside its 'm' one).  AddressSanitizer and
// ThreadSanitizer would report the read of freed memory first, so this runs
// without them; double-free.c covers the same under the sanitizers.

/* UNSUPPORTED: address-sanitizer, thread-sanitizer
 * RUN: %cc %s -o %t %libpymemcheck
 * RUN: env PYTHONMALLOC=debug not --crash %t raw 2>&1 | FileCheck %s
 * RUN: env PYTHONMALLOC=debug not --crash %t mem-large 2>&1 | FileCheck %s
 * RUN: env PYTHONMALLOC=malloc_debug not --crash %t mem-large 2>&1 | FileCheck %s
 */

// CHECK: Debug memory block at address p=0x{{[0-9a-f]+}}: already freed
// CHECK: Fatal Python error: _PyMem_DebugRawFree: block already freed (double free or use after free)
#include <pymemcheck/pymem.h>

#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (strcmp(argv[1], "raw") == 0) {
        void *p = PyMem_RawMalloc(16);
        PyMem_RawFree(p);
        PyMem_RawFree(p);
    } else if (strcmp(argv[1], "mem-large") == 0) {
        void *p = PyMem_Malloc(600);
        PyMem_Free(p);
        PyMem_Free(p);
    }
    return 0;
}
