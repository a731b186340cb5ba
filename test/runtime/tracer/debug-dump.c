// With the debug hooks on, their fatal dump ends with where the damaged
// block was allocated, where CPython prints tracemalloc's traceback:
// "Memory block allocated at ext.c:42 by PyMem_Malloc" (and, for a block
// already freed, where it was freed), whether the tracer sits above the
// debug hooks (PYTHONMALLOC=debug, set up first) or below them
// (PyMem_SetupDebugHooks() after tracing started).  A block allocated by
// untraced code shows as such.  Without the tracer the dump keeps
// CPython's "Enable tracemalloc" line (test/runtime/debug/dump.c).
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYTHONMALLOC=debug PYMEMCHECK= not --crash %t overflow 2>&1 | FileCheck %s --check-prefix=ABOVE --match-full-lines
// RUN: env PYMEMCHECK= not --crash %t below 2>&1 | FileCheck %s --check-prefix=BELOW --match-full-lines
// RUN: env PYTHONMALLOC=debug PYMEMCHECK= %t dump 2>&1 | FileCheck %s --check-prefix=DUMP --match-full-lines

#include "tracer_test.h"

int main(int argc, char **argv)
{
    EXPECT(argc == 2);
    if (strcmp(argv[1], "below") == 0) {
        EXPECT(pymemcheck_trace_start() == 0);
        PyMem_SetupDebugHooks();
    }
    char *p = _PyMem_MallocTrace("ext.c", 42, 16);
    if (strcmp(argv[1], "dump") == 0) {
        _PyObject_DebugDumpAddress(p);
        void *u = untraced_obj_malloc(8);
        _PyObject_DebugDumpAddress(u);
        return 0;
    }
    p[16] = 'x';
    _PyMem_FreeTrace("ext.c", 57, p);
    return 0;
}

// ABOVE:      Debug memory block at address p={{.*}}: API 'm'
// ABOVE-NEXT:     16 bytes originally requested
// ABOVE:          at tail+0: 0x78 *** OUCH
// ABOVE:      Memory block allocated at ext.c:42 by PyMem_Malloc
// ABOVE-NEXT: Memory block freed at ext.c:57 by PyMem_Free
// ABOVE-EMPTY:
// ABOVE-NEXT: Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte

// BELOW:      Debug memory block at address p={{.*}}: API 'm'
// BELOW:      Memory block allocated at ext.c:42 by PyMem_Malloc
// BELOW-EMPTY:
// BELOW-NEXT: Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte

// DUMP:      Debug memory block at address p={{.*}}: API 'm'
// DUMP:      Memory block allocated at ext.c:42 by PyMem_Malloc
// DUMP-EMPTY:
// DUMP-NEXT: Debug memory block at address p={{.*}}: API 'o'
// DUMP:      Memory block allocated at <unknown> by PyObject_Malloc
// DUMP-EMPTY:
