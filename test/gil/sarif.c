// -fplugin-arg-pymemcheck-sarif=<path> writes SARIF 2.1.0 with what
// clang's own SARIF output lacks: stable rule ids, the notes as related
// locations, and the fix-its as fixes.  Nothing found, or every check
// off, or a precompiled header built: a valid, empty run.  A translation
// unit with errors: a run with no results whose invocation failed, in
// place of any earlier log.
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir %t
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-sarif=%t/out.sarif %s 2>/dev/null
// RUN: %python -c "import json,sys; json.load(open(sys.argv[1]))" %t/out.sarif
// RUN: FileCheck %s < %t/out.sarif
// RUN: not %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Werror \
// RUN:   -fplugin-arg-pymemcheck-sarif=%t/err.sarif %s 2>/dev/null
// RUN: FileCheck %s --check-prefix=ERROR < %t/err.sarif
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -DCLEAN \
// RUN:   -fplugin-arg-pymemcheck-sarif=%t/clean.sarif %s
// RUN: FileCheck %s --check-prefix=CLEAN < %t/clean.sarif
// RUN: not %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-sarif=%t/no/such/dir/out.sarif %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNWRITABLE
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-no-gil-call -fplugin-arg-pymemcheck-no-gil-escape \
// RUN:   -fplugin-arg-pymemcheck-no-gil-return -fplugin-arg-pymemcheck-sarif=%t/off.sarif %s
// RUN: FileCheck %s --check-prefix=OFF < %t/off.sarif
// RUN: %clang -std=c11 -x c-header -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-sarif=%t/pch.sarif %s -o %t/sarif.h.pch
// RUN: FileCheck %s --check-prefix=CLEAN < %t/pch.sarif
// RUN: cp %t/out.sarif %t/stale.sarif
// RUN: not %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -DBROKEN \
// RUN:   -fplugin-arg-pymemcheck-sarif=%t/stale.sarif %s 2>/dev/null
// RUN: %python -c "import json,sys; json.load(open(sys.argv[1]))" %t/stale.sarif
// RUN: FileCheck %s --check-prefix=BROKEN --implicit-check-not=ruleId < %t/stale.sarif

#include <Python.h>

#ifdef BROKEN
broken x;
#endif

#ifndef CLEAN
typedef void *(*alloc_fn)(size_t);
void lib_set_alloc(alloc_fn f);

void released(size_t n) {
  Py_BEGIN_ALLOW_THREADS
  char *p = PyMem_Malloc(n);
  PyMem_Free(p);
  Py_END_ALLOW_THREADS
  lib_set_alloc(PyMem_Malloc);
}
#endif

// Keys are in llvm::json's sorted order.
// CHECK: "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
// CHECK: "results": [
// CHECK: "fixes": [
// CHECK: "artifactChanges": [
// CHECK: "uri": "{{.*}}sarif.c"
// CHECK: "deletedRegion": {
// CHECK-NEXT: "endColumn": 25,
// CHECK-NEXT: "endLine": 48,
// CHECK-NEXT: "startColumn": 13,
// CHECK-NEXT: "startLine": 48
// CHECK: "insertedContent": {
// CHECK-NEXT: "text": "PyMem_RawMalloc"
// CHECK: "text": "PyMem_RawFree"
// CHECK: "level": "warning",
// CHECK: "startLine": 48
// CHECK: "text": "call to 'PyMem_Malloc' needs the GIL, but the GIL is released here"
// CHECK: "relatedLocations": [
// CHECK: "id": 0,
// CHECK: "text": "the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'"
// CHECK: "startLine": 47
// CHECK: "ruleId": "gil-call",
// CHECK-NEXT: "ruleIndex": 0
// CHECK: "text": "call to 'PyMem_Free' needs the GIL, but the GIL is released here"
// CHECK: "ruleId": "gil-call",
// CHECK: "text": "'PyMem_Malloc' needs the GIL, but it is passed here to 'lib_set_alloc', which may call it without the GIL"
// CHECK: "ruleId": "gil-escape",
// CHECK-NEXT: "ruleIndex": 1
// CHECK: "tool": {
// CHECK: "name": "pymemcheck",
// CHECK: "id": "gil-call",
// CHECK: "id": "gil-escape",
// CHECK: "id": "gil-return",
// CHECK: "version": "2.1.0"

// ERROR: "level": "error",
// CLEAN: "results": [],
// UNWRITABLE: error: pymemcheck: cannot write the SARIF file '{{.*}}no/such/dir/out.sarif'
// OFF: "results": [],
// OFF: "enabled": false,
// OFF: "enabled": false,
// OFF: "enabled": false,
// BROKEN: "invocations": [
// BROKEN-NEXT: {
// BROKEN-NEXT: "executionSuccessful": false,
// BROKEN: "text": "the translation unit has errors: the GIL analysis did not run"
// BROKEN: "results": [],
