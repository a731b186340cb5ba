// The leak report at exit, in the spirit of LeakSanitizer: live blocks
// grouped by call site, largest first (bytes, then blocks), each with the
// function the site called; blocks from code that was not rewritten under
// <unknown>; a summary with the peak.  min_bytes, max_sites and
// untraced=ignore trim the list (and say how much they left out);
// untraced=ignore also leaves untraced code's blocks out of the peak, so
// that the summary adds up the blocks its list may show (min_bytes and
// max_sites do not: they only shorten the list); report=none prints
// nothing.  Freed blocks never appear.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK= %t 2>&1 | FileCheck %s --match-full-lines
// RUN: env PYMEMCHECK=min_bytes=300 %t 2>&1 | FileCheck %s --check-prefix=MIN --match-full-lines
// RUN: env PYMEMCHECK=max_sites=2:untraced=ignore %t 2>&1 | FileCheck %s --check-prefix=MAX --match-full-lines
// RUN: env PYMEMCHECK=untraced=ignore %t 2>&1 | FileCheck %s --check-prefix=UNTRACED --match-full-lines
// RUN: env PYMEMCHECK=report=none %t 2>&1 | count 0

#include "tracer_test.h"

int main(void)
{
    for (int i = 0; i < 2; i++)
        _PyMem_MallocTrace("ext.c", 42, 2048);
    _PyObject_MallocTrace("ext.c", 50, 300);
    for (int i = 0; i < 3; i++)
        _PyObject_CallocTrace("obj.c", 7, 10, 10);
    pymemcheck_strdup_trace("str.c", 3, "hello");
    untraced_mem_malloc(24);
    void *gone = _PyMem_MallocTrace("ext.c", 60, 999);
    _PyMem_FreeTrace("ext.c", 61, gone);
    return 0;
}

// CHECK:      pymemcheck: 4096 bytes in 2 blocks allocated at ext.c:42 by PyMem_Malloc
// CHECK-NEXT: pymemcheck: 300 bytes in 3 blocks allocated at obj.c:7 by PyObject_Calloc
// CHECK-NEXT: pymemcheck: 300 bytes in 1 block allocated at ext.c:50 by PyObject_Malloc
// CHECK-NEXT: pymemcheck: 24 bytes in 1 block allocated at <unknown> by PyMem_Malloc
// CHECK-NEXT: pymemcheck: 6 bytes in 1 block allocated at str.c:3 by strdup
// CHECK-NEXT: pymemcheck: SUMMARY: 4726 bytes leaked in 8 blocks from 5 sites; peak 5725 bytes
// CHECK-NOT:  {{.}}

// MIN:      pymemcheck: 4096 bytes in 2 blocks allocated at ext.c:42 by PyMem_Malloc
// MIN-NEXT: pymemcheck: 300 bytes in 3 blocks allocated at obj.c:7 by PyObject_Calloc
// MIN-NEXT: pymemcheck: 300 bytes in 1 block allocated at ext.c:50 by PyObject_Malloc
// MIN-NEXT: pymemcheck: 30 more bytes in 2 blocks at 2 sites not listed (min_bytes, max_sites or untraced)
// MIN-NEXT: pymemcheck: SUMMARY: 4696 bytes leaked in 6 blocks from 3 sites; peak 5725 bytes
// MIN-NOT:  {{.}}

// MAX:      pymemcheck: 4096 bytes in 2 blocks allocated at ext.c:42 by PyMem_Malloc
// MAX-NEXT: pymemcheck: 300 bytes in 3 blocks allocated at obj.c:7 by PyObject_Calloc
// MAX-NEXT: pymemcheck: 330 more bytes in 3 blocks at 3 sites not listed (min_bytes, max_sites or untraced)
// MAX-NEXT: pymemcheck: SUMMARY: 4396 bytes leaked in 5 blocks from 2 sites; peak 5701 bytes
// MAX-NOT:  {{.}}

// UNTRACED:      pymemcheck: 4096 bytes in 2 blocks allocated at ext.c:42 by PyMem_Malloc
// UNTRACED-NEXT: pymemcheck: 300 bytes in 3 blocks allocated at obj.c:7 by PyObject_Calloc
// UNTRACED-NEXT: pymemcheck: 300 bytes in 1 block allocated at ext.c:50 by PyObject_Malloc
// UNTRACED-NEXT: pymemcheck: 6 bytes in 1 block allocated at str.c:3 by strdup
// UNTRACED-NEXT: pymemcheck: 24 more bytes in 1 block at 1 site not listed (min_bytes, max_sites or untraced)
// UNTRACED-NEXT: pymemcheck: SUMMARY: 4702 bytes leaked in 7 blocks from 4 sites; peak 5701 bytes
