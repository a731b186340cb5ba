// The sizes of a variable-length array are evaluated at run time where its
// type is written, so a call in one is a real call and is rewritten: in
// sizeof of a VLA type, in a declaration (a pointer to a VLA too), a
// typedef, a cast, and in a parameter's type as written, evaluated when the
// function is entered.  A typedef's sizes are evaluated once, where it is
// declared, not where it is used.  The operand of a typeof that names a
// VLA type is evaluated too.
//
// REQUIRES: plugin
// RUN: %clang -std=gnu11 -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s | FileCheck %s
// RUN: %clang -std=gnu11 -S -emit-llvm -O0 -o - \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefix=IR

#include <stdlib.h>
#include <string.h>

unsigned long size_of(void *p);

// IR-LABEL: define {{.*}}@sizes(
// IR-NOT: call {{.*}}@{{malloc|calloc|strdup}}(
// IR: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef [[#@LINE+2]], i64 noundef 1)
// CHECK-LABEL: unsigned long sizes(
unsigned long sizes(const char *s, int (*q)[size_of(malloc(1))]) {
  // CHECK-SAME: int (*q)[size_of(pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 1))]) {
  unsigned long a = sizeof(char[strlen(strdup(s))]);
  // CHECK: unsigned long a = sizeof(char[strlen(pymemcheck_strdup_trace("{{.*}}", [[@LINE-1]], s))]);
  unsigned long b = sizeof(int[2][size_of(malloc(2))]);
  // CHECK: unsigned long b = sizeof(int[2][size_of(pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 2))]);
  int (*p)[size_of(calloc(1, 3))] = 0;
  // CHECK: int (*p)[size_of(pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], 1, 3))] = 0;
  typedef char row[size_of(malloc(4))];
  // CHECK: typedef char row[size_of(pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 4))];
  row *r = (row *)(char (*)[size_of(malloc(5))])p;
  // CHECK: row *r = (row *)(char (*)[size_of(pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 5))])p;
  __typeof__(*(char (*)[size_of(malloc(6))])p) *t = 0;
  // CHECK: typeof (*(char (*)[size_of(pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 6))])p) *t = 0;
  return a + b + sizeof *p + sizeof *q + sizeof(row) + sizeof *r + sizeof *t;
}
// IR-NOT: call {{.*}}@{{malloc|calloc|strdup}}(
// IR: ret i64
