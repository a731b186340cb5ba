// The values PYMEMCHECK accepts, at their edges (docs/tracer.md): a value
// that is not of the documented form is a bad entry, reported with the
// bad value and the accepted form, and its key keeps the value it had;
// here min_bytes=1k comes first, so the report shows whether a later bad
// min_bytes= took effect.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
//
// A byte count needs digits: a suffix alone is not one.
// RUN: env PYMEMCHECK=min_bytes=1k:min_bytes=k:max_sites=m:tracer_memory_limit=g:min_bytes=G %t 2>&1 | FileCheck %s --check-prefix=SUFFIX --match-full-lines

#include "tracer_test.h"

int main(void)
{
    _PyMem_MallocTrace("ext.c", 1, 2000);
    _PyMem_MallocTrace("ext.c", 2, 100);
    return 0;
}

// SUFFIX:      pymemcheck: PYMEMCHECK: min_bytes=k: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SUFFIX-NEXT: pymemcheck: PYMEMCHECK: max_sites=m: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, max_sites keeps its value
// SUFFIX-NEXT: pymemcheck: PYMEMCHECK: tracer_memory_limit=g: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, tracer_memory_limit keeps its value
// SUFFIX-NEXT: pymemcheck: PYMEMCHECK: min_bytes=G: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SUFFIX-NEXT: pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
// SUFFIX-NEXT: pymemcheck: 100 more bytes in 1 block at 1 site not listed (min_bytes, max_sites or untraced)
// SUFFIX-NEXT: pymemcheck: SUMMARY: 2000 bytes leaked in 1 block from 1 site; peak 2100 bytes
// SUFFIX-NOT:  {{.}}
