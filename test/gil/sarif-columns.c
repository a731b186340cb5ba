// SARIF columns count UTF-16 code units, as the log's columnKind says
// (what GitHub code scanning reads), not bytes as clang's own columns do:
// the two differ when non-ASCII text comes before the call on its line.
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir %t
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-sarif=%t/out.sarif %s 2>&1 | FileCheck %s --check-prefix=CLANG
// RUN: FileCheck %s < %t/out.sarif

#include <Python.h>

void released(size_t n) {
  Py_BEGIN_ALLOW_THREADS
  /* Grüße, 日本, 𝄞 */ char *p = PyMem_Malloc(n);
  PyMem_Free(p);
  Py_END_ALLOW_THREADS
}

// Before the call: "  /* " 5 units, "Grüße" 5 (7 bytes), ", " 2,
// "日本" 2 (6 bytes), ", " 2, "𝄞" 2 (one code point, 4 bytes), " */ " 4,
// "char *p = " 10: 32 units, 40 bytes.
// CLANG: sarif-columns.c:15:41: warning: call to 'PyMem_Malloc'
// CHECK: "columnKind": "utf16CodeUnits",
// CHECK: "deletedRegion": {
// CHECK-NEXT: "endColumn": 45,
// CHECK-NEXT: "endLine": 15,
// CHECK-NEXT: "startColumn": 33,
// CHECK-NEXT: "startLine": 15
// CHECK: "region": {
// CHECK-NEXT: "startColumn": 33,
// CHECK-NEXT: "startLine": 15
