// The text report's summary line says "byte" for 1, for every figure,
// the peak too; and so does the HTML report's copy of that line.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK= %t 2>&1 | FileCheck %s --check-prefix=TEXT --match-full-lines
// RUN: env PYMEMCHECK=report=json:output=%t.json %t
// RUN: %python %pmc_src_root/tools/pymemcheck-html %t.json | FileCheck %s --check-prefix=HTML

#include "tracer_test.h"

int main(void)
{
    _PyMem_MallocTrace("one.c", 1, 1);
    return 0;
}

// TEXT:      pymemcheck: 1 byte in 1 block allocated at one.c:1 by PyMem_Malloc
// TEXT-NEXT: pymemcheck: SUMMARY: 1 byte leaked in 1 block from 1 site; peak 1 byte
// TEXT-NOT:  {{.}}

// HTML: id="summary-line">SUMMARY: 1 byte leaked in 1 block from 1 site; peak 1 byte</p>
