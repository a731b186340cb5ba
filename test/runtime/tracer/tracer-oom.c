// When the tracer cannot get memory for its own tables (here: capped by
// tracer_memory_limit at one 2 MiB region and the side table's first 256 KiB
// node), the program is not affected: every allocation
// still succeeds and every block is usable and freeable; the blocks the
// tracer could not record are left untracked.  It says so once, the
// report says how many blocks went untracked and that its figures are
// lower bounds, and "never allocated" misuse is no longer reported (the
// table is incomplete), even with start=load.  A start that cannot get
// memory at all leaves tracing off, with a message, and the program runs.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=start=load:tracer_memory_limit=2400k %t 2>&1 | FileCheck %s --match-full-lines
// RUN: env PYMEMCHECK=tracer_memory_limit=1 %t 2>&1 | FileCheck %s --check-prefix=NOSTART --match-full-lines
// RUN: env PYMEMCHECK=start=load:tracer_memory_limit=1 %t 2>&1 | FileCheck %s --check-prefix=NOLOAD --match-full-lines

#include "tracer_test.h"

enum { BLOCKS = 400000 };

static void *blocks[BLOCKS];

int main(void)
{
    for (int i = 0; i < 10; i++)
        _PyObject_MallocTrace("leak.c", 9, 64);     /* recorded: memory is left */
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = _PyObject_MallocTrace("ext.c", 1, 64);
        EXPECT(blocks[i] != NULL);
        memset(blocks[i], 0x5a, 64);
    }
    // CHECK: pymemcheck: warning: the tracer cannot get memory for its tables ({{[0-9]+}} bytes mapped); blocks it cannot record are left untracked and the program goes on unchanged, but reports only count what was recorded. Free memory, or raise tracer_memory_limit in PYMEMCHECK
    for (int i = 0; i < BLOCKS; i += 2)
        blocks[i] = _PyObject_ReallocTrace("ext.c", 2, blocks[i], 128);
    for (int i = 0; i < BLOCKS; i++) {
        EXPECT(((unsigned char *)blocks[i])[63] == 0x5a);
        _PyObject_FreeTrace("ext.c", 3, blocks[i]);
    }
    void *q = untraced_malloc(32);
    _PyMem_RawFreeTrace("ext.c", 4, q);         /* not reported */
    puts("done");
    fflush(stdout);
    // CHECK-NOT:  misuse
    // CHECK:      done
    // CHECK-NEXT: pymemcheck: 640 bytes in 10 blocks allocated at leak.c:9 by PyObject_Malloc
    // CHECK-NEXT: pymemcheck: SUMMARY: 640 bytes leaked in 10 blocks from 1 site; peak {{[0-9]+}} bytes
    // CHECK-NEXT: pymemcheck: warning: {{[1-9][0-9]*}} blocks not tracked (the tracer ran out of memory): these figures are lower bounds

    // NOSTART:      pymemcheck: the tracer cannot get memory for its tables (0 bytes mapped); tracing is off
    // NOSTART-NEXT: done
    // NOSTART-NOT:  {{.}}
    // NOLOAD:       pymemcheck: PYMEMCHECK: start=load: the tracer cannot get memory for its tables; tracing is off
    // NOLOAD-NEXT:  done
    // NOLOAD-NOT:   {{.}}
    return 0;
}
