// Fault injection by call site (fail=, docs/tracer.md): allocations at the
// chosen sites fail as an allocator out of memory would (NULL; errno
// ENOMEM for the C library's functions, ENOMEM returned by
// posix_memalign), and nothing else changes.  Each form of rule: a file
// (its base name), file:line, a glob (with '/', over the whole name), the
// Nth call (@N), every call after N (+N), several rules.  Calls are counted
// per rule; frees never fail; a failed realloc leaves the block as it was.
// The report counts injected failures, per site and in all.
//
// Each character printed is one call: '.' succeeded, 'x' failed.
//
// RUN: %cc -D_DEFAULT_SOURCE -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t | FileCheck %s --check-prefix=NONE --match-full-lines
// RUN: env PYMEMCHECK=report=none:fail=ext.c %t | FileCheck %s --check-prefix=FILE --match-full-lines
// RUN: env PYMEMCHECK=report=none:fail=ext.c:42 %t | FileCheck %s --check-prefix=LINE --match-full-lines
// RUN: env PYMEMCHECK=report=none:fail=ext.c:42@3 %t | FileCheck %s --check-prefix=NTH --match-full-lines
// RUN: env PYMEMCHECK=report=none:fail=ext.c+4 %t | FileCheck %s --check-prefix=AFTER --match-full-lines
// RUN: env PYMEMCHECK=report=none:fail=*/sub/*.[ch] %t | FileCheck %s --check-prefix=GLOB --match-full-lines
// RUN: env PYMEMCHECK=report=none:fail=e?t.c:43:fail=other.c@2 %t | FileCheck %s --check-prefix=TWO --match-full-lines
// RUN: env PYMEMCHECK=fail=lib.c %t 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT --match-full-lines
// RUN: env PYMEMCHECK=report=none %t configure | FileCheck %s --check-prefix=CONFIGURE --match-full-lines

#include "tracer_test.h"

#include <errno.h>

static char mark(const void *p)
{
    return p != NULL ? '.' : 'x';
}

static void pep445(void)
{
    char line[64] = "ext.c:42 ";
    size_t n = strlen(line);
    for (int i = 0; i < 5; i++) {
        void *p = _PyMem_MallocTrace("ext.c", 42, 16);
        line[n++] = mark(p);
        PyMem_Free(p);
    }
    line[n] = '\0';
    printf("%s\n", line);

    void *keep = _PyObject_MallocTrace("ok.c", 1, 8);
    void *grown = _PyObject_ReallocTrace("ext.c", 43, keep, 64);
    printf("ext.c:43 %c%c\n", mark(_PyObject_CallocTrace("ext.c", 43, 2, 8)), mark(grown));
    if (grown == NULL)
        EXPECT(((char *)keep)[0] == ((char *)keep)[0]);   /* still ours */
    else
        keep = grown;
    PyObject_Free(keep);

    printf("other.c %c%c%c\n", mark(_PyMem_RawMallocTrace("other.c", 1, 8)),
           mark(_PyMem_RawMallocTrace("other.c", 2, 8)),
           mark(_PyMem_RawCallocTrace("other.c", 3, 1, 8)));
    printf("src/sub/x.h %c\n", mark(_PyMem_MallocTrace("src/sub/x.h", 7, 8)));
    printf("src/x.h %c\n", mark(_PyMem_MallocTrace("src/x.h", 7, 8)));
}

static void libc(void)
{
    errno = 0;
    char *s = pymemcheck_strdup_trace("lib.c", 1, "text");
    printf("lib.c strdup %c errno=%s\n", mark(s), errno == ENOMEM ? "ENOMEM" : "0");
    void *m = NULL;
    int r = pymemcheck_posix_memalign_trace("lib.c", 2, &m, 64, 32);
    printf("lib.c posix_memalign %s\n", r == 0 ? "0" : r == ENOMEM ? "ENOMEM" : "?");
    pymemcheck_free_trace("lib.c", 3, s);       /* frees never fail */
    pymemcheck_free_trace("lib.c", 4, m);
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        /* Rules set at run time replace the environment's. */
        EXPECT(pymemcheck_configure("fail=ext.c:42@2") == 0);
        pep445();
        EXPECT(pymemcheck_configure("fail=") == 0);
        pep445();
        return 0;
    }
    pep445();
    libc();
    printf("lib.c:1 failed=%llu lib.c:2 failed=%llu\n",
           (unsigned long long)site_stats("lib.c", 1, "strdup").failures_injected,
           (unsigned long long)site_stats("lib.c", 2, "posix_memalign").failures_injected);
    return 0;
}

// NONE:      ext.c:42 .....
// NONE-NEXT: ext.c:43 ..
// NONE-NEXT: other.c ...
// NONE-NEXT: src/sub/x.h .
// NONE-NEXT: src/x.h .
// NONE-NEXT: lib.c strdup . errno=0
// NONE-NEXT: lib.c posix_memalign 0
// NONE-NEXT: lib.c:1 failed=0 lib.c:2 failed=0

// FILE:      ext.c:42 xxxxx
// FILE-NEXT: ext.c:43 xx
// FILE-NEXT: other.c ...

// LINE:      ext.c:42 xxxxx
// LINE-NEXT: ext.c:43 ..

// NTH:      ext.c:42 ..x..
// NTH-NEXT: ext.c:43 ..

// AFTER:      ext.c:42 ....x
// AFTER-NEXT: ext.c:43 xx

// GLOB:      ext.c:42 .....
// GLOB:      src/sub/x.h x
// GLOB-NEXT: src/x.h .

// TWO:      ext.c:42 .....
// TWO-NEXT: ext.c:43 xx
// TWO-NEXT: other.c .x.

// REPORT:      pymemcheck: SUMMARY: {{.*}}
// REPORT-NEXT: pymemcheck: 2 allocations failed by fault injection (fail=)
// RUN: env PYMEMCHECK=report=none:fail=lib.c %t | FileCheck %s --check-prefix=LIBC --match-full-lines
// LIBC:      lib.c strdup x errno=ENOMEM
// LIBC-NEXT: lib.c posix_memalign ENOMEM
// LIBC-NEXT: lib.c:1 failed=1 lib.c:2 failed=1

// CONFIGURE:      ext.c:42 .x...
// CONFIGURE-NEXT: ext.c:43 ..
// CONFIGURE:      ext.c:42 .....
