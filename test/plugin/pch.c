// A precompiled header is built as if the plugin were not there: no call
// is rewritten while building it, so the same PCH serves every compile,
// with or without the rewrite, and a PCH built with the plugin loaded is
// byte-identical to one built without.  A compile that uses the PCH with
// the rewrite on rewrites the calls of the functions it takes from it, as
// it would have had it included the header as text.
//
// REQUIRES: plugin
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -x c-header %S/Inputs/pch-header.h -o %t/plain.pch
// RUN: %clang -x c-header %S/Inputs/pch-header.h -o %t/plugin.pch -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -fplugin-arg-pymemcheck-remarks 2>&1 \
// RUN:   | FileCheck %s --check-prefix=REMARK
// REMARK: remark: pymemcheck: calls are not rewritten while building a precompiled header or module; each compile that uses it rewrites the calls of the functions it takes from it
// RUN: cmp %t/plain.pch %t/plugin.pch
//
// RUN: %clang -include-pch %t/plugin.pch -I%S/Inputs -S -emit-llvm -O0 -o - %s \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace | FileCheck %s
// RUN: %clang -I%S/Inputs -S -emit-llvm -O0 -o - %s \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace | FileCheck %s
// RUN: %clang -include-pch %t/plugin.pch -I%S/Inputs -S -emit-llvm -O0 -o - %s \
// RUN:   | FileCheck %s --check-prefix=OFF
// OFF-NOT: _trace(

#include "pch-header.h"

int main(void) {
  void *p = header_make(4);
  header_release(p);
  free(HEADER_ALLOC(8));
  return 0;
}

// CHECK-DAG: @[[HEADER:[^ ]*]] = {{.*}} c"{{[^"]*}}pch-header.h\00"
// CHECK-DAG: @[[MAIN:[^ ]*]] = {{.*}} c"{{[^"]*}}pch.c\00"
// CHECK-LABEL: define {{.*}}@main(
// CHECK: call {{.*}}@pymemcheck_malloc_trace({{.*}}@[[MAIN]]{{(,.*)?}}, i32 noundef [[#@LINE-7]], i64 noundef 8)
// CHECK-NEXT: call {{.*}}@pymemcheck_free_trace({{.*}}@[[MAIN]]{{(,.*)?}}, i32 noundef [[#@LINE-8]],
// CHECK-DAG: define internal {{.*}}@header_make(
// CHECK-DAG: call {{.*}}@pymemcheck_malloc_trace({{.*}}@[[HEADER]]{{(,.*)?}}, i32 noundef 8,
// CHECK-DAG: define internal {{.*}}@header_release(
// CHECK-DAG: call {{.*}}@pymemcheck_free_trace({{.*}}@[[HEADER]]{{(,.*)?}}, i32 noundef 12,
// CHECK-NOT: never_used
