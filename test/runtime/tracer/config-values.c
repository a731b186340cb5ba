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
//
// Only digits: strtoull's leading space and sign are not part of a count.
// RUN: env 'PYMEMCHECK=min_bytes=1k:min_bytes= -1:min_bytes=+5:min_bytes=-0:tracer_memory_limit= 1:min_bytes=1 k:min_bytes=1kk:min_bytes=99999999999999999999:min_bytes=20000000000000000g' %t 2>&1 | FileCheck %s --check-prefix=SIGN --match-full-lines
// A number of sites is digits alone: max_sites=2k is not 2048 sites, and
// max_sites=1 stays in force.
// RUN: env 'PYMEMCHECK=max_sites=1:max_sites=2k:max_sites= 2:max_sites=-1:max_sites=99999999999999999999' %t 2>&1 | FileCheck %s --check-prefix=SITES --match-full-lines
// RUN: env 'PYMEMCHECK=leak_exitcode= +7:leak_exitcode=-0:leak_exitcode=256:leak_exitcode=0x7' %t 2>&1 | FileCheck %s --check-prefix=EXIT --match-full-lines
// RUN: env 'PYMEMCHECK=leak_exitcode=5:leak_exitcode= +7:report=none' %python %S/Inputs/exit_status.py 5 %t
// RUN: env 'PYMEMCHECK=leak_exitcode=5:leak_exitcode=+7:report=none' %python %S/Inputs/exit_status.py 5 %t
// RUN: env 'PYMEMCHECK=leak_exitcode=5:leak_exitcode=007:report=none' %python %S/Inputs/exit_status.py 7 %t
//
// A fail= line is from 1 to INT_MAX, a count up to INT64_MAX: beyond, the
// rule is bad (4294967338 would wrap to line 42 in an int).
// RUN: env PYMEMCHECK=report=none:fail=ext.c:4294967338:fail=ext.c@9223372036854775808:fail=ext.c+99999999999999999999:fail=ext.c:2147483648@1 %t probe 2>&1 | FileCheck %s --check-prefix=RANGE --match-full-lines
// RUN: env PYMEMCHECK=report=none:fail=ext.c:2147483647:fail=ext.c@9223372036854775807 %t probe 2>&1 | FileCheck %s --check-prefix=NONE --match-full-lines
//
// A rule is <file glob>[:<line>][@<N>|+<N>]: a mark with no number after
// it, two counts, two lines or a count before the line is a bad rule, not
// a glob with '@' or '+' in it; '\' makes a mark part of the glob.
// RUN: env 'PYMEMCHECK=report=none:fail=ext.c@:fail=ext.c+:fail=ext.c+10@3:fail=ext.c@1+2:fail=ext.c@3:42:fail=ext.c:4:2:fail=ext.c:4:2@1:fail=@3' %t probe 2>&1 | FileCheck %s --check-prefix=FORM --match-full-lines
// RUN: env 'PYMEMCHECK=report=none:fail=odd\@2' %t probe 2>&1 | FileCheck %s --check-prefix=ESCAPED --match-full-lines
//
// The fail= entries of one text replace the rules there were, but only
// with good rules: a text whose every fail= is bad leaves them alone.
// RUN: env PYMEMCHECK=report=none %t replace 2>&1 | FileCheck %s --check-prefix=REPLACE --match-full-lines

#include "tracer_test.h"

/* One allocation at each of three sites: '.' succeeded, 'x' failed. */
static void probe(void)
{
    void *a = _PyMem_MallocTrace("ext.c", 42, 8);
    void *b = _PyMem_MallocTrace("ext.c", 43, 8);
    void *c = _PyMem_MallocTrace("odd@2", 1, 8);
    printf("ext.c:42 %c ext.c:43 %c odd@2 %c\n", a ? '.' : 'x', b ? '.' : 'x',
           c ? '.' : 'x');
    PyMem_Free(a);
    PyMem_Free(b);
    PyMem_Free(c);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);   /* in order with the messages */
    if (argc > 1 && strcmp(argv[1], "probe") == 0) {
        probe();
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "replace") == 0) {
        EXPECT(pymemcheck_configure("fail=ext.c:42") == 0);
        probe();
        printf("%d\n", pymemcheck_configure("fail=ext.c:0"));
        probe();
        printf("%d\n", pymemcheck_configure("fail=ext.c@:fail=ext.c:43:fail=x:0"));
        probe();
        printf("%d\n", pymemcheck_configure("fail=:fail=ext.c:0"));
        probe();
        return 0;
    }
    _PyMem_MallocTrace("ext.c", 1, 2000);
    _PyMem_MallocTrace("ext.c", 2, 100);
    return 0;
}

// SUFFIX:      pymemcheck: PYMEMCHECK: min_bytes=k: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SUFFIX-NEXT: pymemcheck: PYMEMCHECK: max_sites=m: not a count (accepted: a number of sites, 0 for all); ignored, max_sites keeps its value
// SUFFIX-NEXT: pymemcheck: PYMEMCHECK: tracer_memory_limit=g: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, tracer_memory_limit keeps its value
// SUFFIX-NEXT: pymemcheck: PYMEMCHECK: min_bytes=G: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SUFFIX-NEXT: pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
// SUFFIX-NEXT: pymemcheck: 100 more bytes in 1 block at 1 site not listed (min_bytes, max_sites or untraced)
// SUFFIX-NEXT: pymemcheck: SUMMARY: 2000 bytes leaked in 1 block from 1 site; peak 2100 bytes
// SUFFIX-NOT:  {{.}}

// SIGN:      pymemcheck: PYMEMCHECK: min_bytes= -1: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SIGN-NEXT: pymemcheck: PYMEMCHECK: min_bytes=+5: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SIGN-NEXT: pymemcheck: PYMEMCHECK: min_bytes=-0: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SIGN-NEXT: pymemcheck: PYMEMCHECK: tracer_memory_limit= 1: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, tracer_memory_limit keeps its value
// SIGN-NEXT: pymemcheck: PYMEMCHECK: min_bytes=1 k: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SIGN-NEXT: pymemcheck: PYMEMCHECK: min_bytes=1kk: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SIGN-NEXT: pymemcheck: PYMEMCHECK: min_bytes=99999999999999999999: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SIGN-NEXT: pymemcheck: PYMEMCHECK: min_bytes=20000000000000000g: not a byte count (accepted: a number of bytes, with an optional k, m or g); ignored, min_bytes keeps its value
// SIGN-NEXT: pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
// SIGN-NEXT: pymemcheck: 100 more bytes in 1 block at 1 site not listed (min_bytes, max_sites or untraced)

// SITES:      pymemcheck: PYMEMCHECK: max_sites=2k: not a count (accepted: a number of sites, 0 for all); ignored, max_sites keeps its value
// SITES-NEXT: pymemcheck: PYMEMCHECK: max_sites= 2: not a count (accepted: a number of sites, 0 for all); ignored, max_sites keeps its value
// SITES-NEXT: pymemcheck: PYMEMCHECK: max_sites=-1: not a count (accepted: a number of sites, 0 for all); ignored, max_sites keeps its value
// SITES-NEXT: pymemcheck: PYMEMCHECK: max_sites=99999999999999999999: not a count (accepted: a number of sites, 0 for all); ignored, max_sites keeps its value
// SITES-NEXT: pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc
// SITES-NEXT: pymemcheck: 100 more bytes in 1 block at 1 site not listed (min_bytes, max_sites or untraced)
// SITES-NEXT: pymemcheck: SUMMARY: 2000 bytes leaked in 1 block from 1 site; peak 2100 bytes
// SITES-NOT:  {{.}}

// EXIT:      pymemcheck: PYMEMCHECK: leak_exitcode= +7: not an exit status (accepted: 0 to 255); ignored, leak_exitcode keeps its value
// EXIT-NEXT: pymemcheck: PYMEMCHECK: leak_exitcode=-0: not an exit status (accepted: 0 to 255); ignored, leak_exitcode keeps its value
// EXIT-NEXT: pymemcheck: PYMEMCHECK: leak_exitcode=256: not an exit status (accepted: 0 to 255); ignored, leak_exitcode keeps its value
// EXIT-NEXT: pymemcheck: PYMEMCHECK: leak_exitcode=0x7: not an exit status (accepted: 0 to 255); ignored, leak_exitcode keeps its value
// EXIT-NEXT: pymemcheck: 2000 bytes in 1 block allocated at ext.c:1 by PyMem_Malloc

// RANGE:      pymemcheck: PYMEMCHECK: fail=ext.c:4294967338: bad rule: the line number is above 2147483647 (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// RANGE-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c@9223372036854775808: bad rule: the count is above 9223372036854775807 (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// RANGE-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c+99999999999999999999: bad rule: the count is above 9223372036854775807 (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// RANGE-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c:2147483648@1: bad rule: the line number is above 2147483647 (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// RANGE-NEXT: ext.c:42 . ext.c:43 . odd@2 .
// RANGE-NOT:  {{.}}

// NONE:      ext.c:42 . ext.c:43 . odd@2 .
// NONE-NOT:  {{.}}

// FORM:      pymemcheck: PYMEMCHECK: fail=ext.c@: bad rule: no call number after '@' (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// FORM-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c+: bad rule: no count after '+' (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// FORM-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c+10@3: bad rule: two counts (one of @N and +N) (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// FORM-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c@1+2: bad rule: two counts (one of @N and +N) (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// FORM-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c@3:42: bad rule: @N or +N comes after the line (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// FORM-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c:4:2: bad rule: two line numbers (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// FORM-NEXT: pymemcheck: PYMEMCHECK: fail=ext.c:4:2@1: bad rule: two line numbers (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// FORM-NEXT: pymemcheck: PYMEMCHECK: fail=@3: bad rule: no file pattern (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// FORM-NEXT: ext.c:42 . ext.c:43 . odd@2 .
// FORM-NOT:  {{.}}

// ESCAPED:      ext.c:42 . ext.c:43 . odd@2 x
// ESCAPED-NOT:  {{.}}

// REPLACE:      ext.c:42 x ext.c:43 . odd@2 .
// REPLACE-NEXT: pymemcheck: pymemcheck_configure: fail=ext.c:0: bad rule: calls and lines count from 1 (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// REPLACE-NEXT: 1
// REPLACE-NEXT: ext.c:42 x ext.c:43 . odd@2 .
// REPLACE-NEXT: pymemcheck: pymemcheck_configure: fail=ext.c@: bad rule: no call number after '@' (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// REPLACE-NEXT: pymemcheck: pymemcheck_configure: fail=x:0: bad rule: calls and lines count from 1 (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// REPLACE-NEXT: 2
// REPLACE-NEXT: ext.c:42 . ext.c:43 x odd@2 .
// REPLACE-NEXT: pymemcheck: pymemcheck_configure: fail=ext.c:0: bad rule: calls and lines count from 1 (accepted: <file glob>[:<line>][@<nth call>|+<calls to let through>]); ignored, fail keeps its value
// REPLACE-NEXT: 1
// REPLACE-NEXT: ext.c:42 . ext.c:43 . odd@2 .
// REPLACE-NOT:  {{.}}
