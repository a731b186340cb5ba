// File names that are not UTF-8 in the JSON report (docs/tracer.md, JSON):
// well-formed UTF-8 is copied, every other byte B becomes \udcBB (Python's
// surrogateescape), so the report is UTF-8 text and os.fsencode() of a
// name gives back its bytes.  Overlong forms, surrogates and code points
// above U+10FFFF are not well-formed.  tools/pymemcheck-html shows such a
// name with \xBB for the byte and still finds the source file.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cc -I%S/Inputs %s -o %t/names %libpymemcheck
// RUN: env PYMEMCHECK=report=json:output=%t/report.json %t/names %t
// RUN: FileCheck %s --check-prefix=JSON < %t/report.json
// RUN: %python %S/Inputs/json_names.py %t/report.json | FileCheck %s --check-prefix=BYTES --match-full-lines
// RUN: %python %pmc_src_root/tools/pymemcheck-html %t/report.json --source-root %t -o %t/page.html
// RUN: FileCheck %s --check-prefix=HTML < %t/page.html
// RUN: %python %pmc_src_root/tools/pymemcheck-html %t/report.json --source-root %t | FileCheck %s --check-prefix=HTML

#include "tracer_test.h"

#define LATIN1 "caf\xe9.c"
#define GOOD "ok-\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80.c"
#define BAD "bad-\xc0\xaf-\xed\xa0\x80-\xf4\x90\x80\x80-\xe2\x82.c"

int main(int argc, char **argv)
{
    EXPECT(argc == 2);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], LATIN1);
    FILE *f = fopen(path, "w");
    EXPECT(f != NULL);
    fputs("/* in a file whose name is Latin-1 */\nchar *latin1 = PyMem_Malloc(300);\n", f);
    fclose(f);
    _PyMem_MallocTrace(LATIN1, 2, 300);
    _PyMem_MallocTrace(GOOD, 1, 200);
    _PyMem_MallocTrace(BAD, 1, 100);
    return 0;
}

// JSON: {"file": "caf\udce9.c", "line": 2,
// JSON: {"file": "ok-é-€-😀.c", "line": 1,
// JSON: {"file": "bad-\udcc0\udcaf-\udced\udca0\udc80-\udcf4\udc90\udc80\udc80-\udce2\udc82.c", "line": 1,

// BYTES:      line 2 file b'caf\xe9.c'
// BYTES-NEXT: line 1 file b'ok-\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80.c'
// BYTES-NEXT: line 1 file b'bad-\xc0\xaf-\xed\xa0\x80-\xf4\x90\x80\x80-\xe2\x82.c'

// HTML: <span class="file">caf\xe9.c:2</span>
// HTML-NEXT: <tr class="hit"><td class="ln">2</td><td class="code">char *latin1 = PyMem_Malloc(300);</td></tr>
// HTML: <span class="file">ok-é-€-😀.c:1</span>
// HTML-NEXT: <p class="nosrc">source not found: ok-é-€-😀.c
// HTML: <span class="file">bad-\xc0\xaf-\xed\xa0\x80-\xf4\x90\x80\x80-\xe2\x82.c:1</span>
// HTML-NEXT: <p class="nosrc">source not found: bad-\xc0\xaf-\xed\xa0\x80-\xf4\x90\x80\x80-\xe2\x82.c (looked in {{.*}}/bad-\xc0\xaf-\xed\xa0\x80-\xf4\x90\x80\x80-\xe2\x82.c; pass --source-root)</p>
// HTML: <code>caf\xe9.c:2</code>
