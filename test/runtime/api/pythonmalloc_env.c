// PYTHONMALLOC takes CPython's values with CPython's meanings; an empty
// value is the default; anything else stops the program with a message
// that names the value and the accepted ones (CPython refuses to start
// too), never a crash.  PYTHONMALLOCSTATS prints pymalloc's statistics
// (at exit here; at each new arena too: mallocstats-arenas.c).
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s --check-prefix=PYMALLOC
// RUN: env PYTHONMALLOC= %t | FileCheck %s --check-prefix=PYMALLOC
// RUN: env PYTHONMALLOC=default %t | FileCheck %s --check-prefix=PYMALLOC
// RUN: env PYTHONMALLOC=pymalloc %t | FileCheck %s --check-prefix=PYMALLOC
// RUN: env PYTHONMALLOC=malloc %t | FileCheck %s --check-prefix=MALLOC
// RUN: env PYTHONMALLOC=debug %t id | FileCheck %s --check-prefix=PYMALLOC-DEBUG
// RUN: env PYTHONMALLOC=pymalloc_debug %t id | FileCheck %s --check-prefix=PYMALLOC-DEBUG
// RUN: env PYTHONMALLOC=malloc_debug %t id | FileCheck %s --check-prefix=MALLOC-DEBUG
// RUN: env PYTHONMALLOC=pymallok not %t 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: env PYTHONMALLOC=mimalloc not %t 2>&1 | FileCheck %s --check-prefix=MIMALLOC
// RUN: env PYTHONMALLOCSTATS=1 %t 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// RUN: %t 2>&1 >/dev/null | count 0

#include "pymemcheck/pymem.h"

/* With "id", read the debug hooks' API id byte before the block: only
 * meaningful, and only in bounds, when the hooks are on. */
int main(int argc, char **argv)
{
    PyMemAllocatorEx raw, mem, obj;
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &raw);
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &mem);
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &obj);
    unsigned char *p = PyMem_Malloc(8);
    int stats = _PyObject_DebugMallocStats(fopen("/dev/null", "w"));
    printf("mem and obj share an allocator: %d, raw differs: %d\n", mem.malloc == obj.malloc,
           raw.malloc != mem.malloc);
    printf("pymalloc in use: %d, debug id byte: '%c'\n", stats,
           argc > 1 && argv[1][0] == 'i' && p[-8] == 'm' ? 'm' : '-');
    PyMem_Free(p);
    return 0;
}

// PYMALLOC:       mem and obj share an allocator: 1, raw differs: 1
// PYMALLOC-NEXT:  pymalloc in use: 1, debug id byte: '-'
// MALLOC:         mem and obj share an allocator: 1, raw differs: 0
// MALLOC-NEXT:    pymalloc in use: 0, debug id byte: '-'
// PYMALLOC-DEBUG: pymalloc in use: 1, debug id byte: 'm'
// MALLOC-DEBUG:   pymalloc in use: 0, debug id byte: 'm'
// UNKNOWN:   pymemcheck: PYTHONMALLOC=pymallok: unknown allocator; accepted values: default, debug, malloc, malloc_debug, pymalloc, pymalloc_debug{{$}}
// UNKNOWN-NOT: mem and obj
// MIMALLOC:  pymemcheck: PYTHONMALLOC=mimalloc: unknown allocator; accepted values: default, debug, malloc, malloc_debug, pymalloc, pymalloc_debug (pymemcheck is not built with mimalloc)
// STATS:     Small block threshold = 512, in 32 size classes.
// STATS:     # arenas allocated total           =
