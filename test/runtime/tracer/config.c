// PYMEMCHECK and pymemcheck_configure(): every bad entry gets a message
// naming the bad value and what is accepted, is skipped, and the tracer
// runs on with that key's default (here: the text report on stderr at
// exit); the good entries around it still apply.  Every key is exercised.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=xml:min_bytes=abc:colour=red:novalue:max_sites=-1:on_misuse=maybe:untraced=yes:start=later:fail=:3:fail=x.c@0:tracer_memory_limit=lots:leak_exitcode=300:output= %t 2>&1 | FileCheck %s --check-prefix=BAD --match-full-lines
// RUN: env PYMEMCHECK=min_bytes=1k:max_sites=1 %t 2>&1 | FileCheck %s --check-prefix=GOOD --match-full-lines
// RUN: env PYMEMCHECK=output=%t.report %t > %t.stdout 2>&1
// RUN: count 0 < %t.stdout
// RUN: FileCheck %s --check-prefix=FILE --match-full-lines < %t.report
// RUN: env PYMEMCHECK=output=%t.no/such/dir/report %t 2>&1 | FileCheck %s --check-prefix=NODIR --match-full-lines
// RUN: env PYMEMCHECK=report=text:output=stdout %t 2>/dev/null | FileCheck %s --check-prefix=GOOD0 --match-full-lines
// RUN: env PYMEMCHECK=start=manual %t 2>&1 | count 0
// RUN: env PYMEMCHECK=leak_exitcode=23 %python %S/Inputs/exit_status.py 23 %t
// RUN: env PYMEMCHECK=leak_exitcode=23 %python %S/Inputs/exit_status.py 0 %t noleak
// RUN: env PYMEMCHECK=leak_exitcode=23:report=none %python %S/Inputs/exit_status.py 23 %t
// RUN: env PYMEMCHECK=report=none %t configure | FileCheck %s --check-prefix=API --match-full-lines

#include "tracer_test.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "configure") == 0) {
        printf("%d\n", pymemcheck_configure("report=json:bogus=1:min_bytes=x"));
        // API: 2
        printf("%d\n", pymemcheck_configure("report=text:output=stdout:min_bytes=10"));
        // API-NEXT: 0
        _PyMem_MallocTrace("api.c", 1, 5);
        _PyMem_MallocTrace("api.c", 2, 50);
        EXPECT(pymemcheck_report() == 0);
        // API-NEXT: pymemcheck: 50 bytes in 1 block allocated at api.c:2 by PyMem_Malloc
        // API-NEXT: pymemcheck: 5 more bytes in 1 block at 1 site not listed (min_bytes, max_sites or untraced)
        // API-NEXT: pymemcheck: SUMMARY: 50 bytes live in 1 block from 1 site; peak 55 bytes
        return 0;
    }
    void *p = _PyMem_MallocTrace("ext.c", 1, 2000);
    void *q = _PyMem_MallocTrace("ext.c", 2, 100);
    if (argc > 1) {
        _PyMem_FreeTrace("ext.c", 3, p);
        _PyMem_FreeTrace("ext.c", 4, q);
    }
    return 0;
}

// BAD:      pymemcheck: PYMEMCHECK: report=xml: unknown value (accepted: text, json, none); ignored, report keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: min_bytes=abc: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: unknown key 'colour' (accepted: report, output, min_bytes, max_sites, on_misuse, untraced, start, fail, tracer_memory_limit, leak_exitcode); ignored
// BAD-NEXT: pymemcheck: PYMEMCHECK: 'novalue' is not key=value (accepted: report, output, min_bytes, max_sites, on_misuse, untraced, start, fail, tracer_memory_limit, leak_exitcode); ignored
// BAD-NEXT: pymemcheck: PYMEMCHECK: max_sites=-1: not a count (accepted: a number of sites, 0 for all); ignored, max_sites keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: on_misuse=maybe: unknown value (accepted: report, abort); ignored, on_misuse keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: untraced=yes: unknown value (accepted: report, ignore); ignored, untraced keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: start=later: unknown value (accepted: first_call, load, manual); ignored, start keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: fail=:3: bad rule: no file pattern (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: fail=x.c@0: bad rule: calls and lines count from 1 (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: tracer_memory_limit=lots: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, tracer_memory_limit keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: leak_exitcode=300: not an exit status (accepted: 0 to 255); ignored, leak_exitcode keeps its value
// BAD-NEXT: pymemcheck: PYMEMCHECK: output=: empty (accepted: stderr, stdout or a file path); ignored, output keeps its value
// BAD-NEXT: pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
// BAD-NEXT: pymemcheck: 100 bytes in 1 block allocated at ext.c:2 by PyMem_Malloc
// BAD-NEXT: pymemcheck: SUMMARY: 2100 bytes leaked in 2 blocks from 2 sites; peak 2100 bytes
// BAD-NOT:  {{.}}

// GOOD:      pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
// GOOD-NEXT: pymemcheck: 100 more bytes in 1 block at 1 site not listed (min_bytes, max_sites or untraced)
// GOOD-NEXT: pymemcheck: SUMMARY: 2000 bytes leaked in 1 block from 1 site; peak 2100 bytes

// GOOD0:      pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
// GOOD0-NEXT: pymemcheck: 100 bytes in 1 block allocated at ext.c:2 by PyMem_Malloc

// FILE:      pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
// FILE-NEXT: pymemcheck: 100 bytes in 1 block allocated at ext.c:2 by PyMem_Malloc
// FILE-NEXT: pymemcheck: SUMMARY: 2100 bytes leaked in 2 blocks from 2 sites; peak 2100 bytes

// NODIR:      pymemcheck: cannot open the report file '{{.*}}no/such/dir/report' (output={{.*}}no/such/dir/report); writing the report to stderr
// NODIR-NEXT: pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
