// A default argument is evaluated at each call that uses it, and a call in
// it carries the default argument's file and line (what __LINE__ gives
// there).  A template's default argument, instantiated at its first use,
// is rewritten there, before that use is emitted; so is a class template
// member's, and a function template's that is only declared.  Clang 16 and
// later copy, for each use, a default argument that holds a source-location
// builtin: the calls in the copy are rewritten, and a call that is the
// whole copy is left alone and said so.
//
// REQUIRES: plugin
// RUN: %clangxx -std=c++17 -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s | FileCheck %s
// RUN: %clangxx -std=c++17 -S -emit-llvm -O0 -o - \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefix=IR
// RUN: %clangxx -std=c++17 -fsyntax-only -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -fplugin-arg-pymemcheck-remarks %s 2>&1 \
// RUN:   | FileCheck %s --allow-empty --check-prefix=REMARK%llvm_major

#include <cstdlib>

void *track(void *p, int line);

// The uses, in caller() below, come before the templates are instantiated.
// IR-LABEL: define {{.*}}@_Z6callerv(
void plain(void *p = malloc(1));
// CHECK: void plain(void *p = pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 1));
// IR: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef [[#@LINE-2]], i64 noundef 1)
template <class T> void defined(void *p = malloc(sizeof(T))) { free(p); }
// CHECK: template<> void defined<int>(void *p = pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], sizeof(int))) {
// IR: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef [[#@LINE-2]], i64 noundef 4)
template <class T> void declared(void *p = calloc(1, sizeof(T)));
// CHECK: template<> void declared<long>(void *p = pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], 1, sizeof(long)));
// IR: call {{.*}}@pymemcheck_calloc_trace({{.*}}, i32 noundef [[#@LINE-2]], i64 noundef 1, i64 noundef 8)
template <class T> struct Box {
  void put(void *p = malloc(sizeof(T) + 2));
  // CHECK: void put(void *p = pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], sizeof(char) + 2));
  // IR: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef [[#@LINE-2]], i64 noundef 3)
};
template <class T>
void *tracked(void *p = track(malloc(sizeof(T) + 3), __builtin_LINE()));
// IR: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef [[#@LINE-1]], i64 noundef 5)
// IR-NOT: call {{.*}}@{{malloc|calloc}}(
// IR-LABEL: define {{.*}}@_Z12caller_wholev(

void caller() {
  plain();
  defined<int>();
  declared<long>();
  Box<char>().put();
  tracked<short>();
}

template <class T> void *whole(void *p = malloc(sizeof(T) + __builtin_LINE()));
// REMARK19: rewrite-default-args.cpp:[[@LINE-1]]:42: remark: pymemcheck: call to 'malloc' not rewritten: there is no slot to put it in: it is the whole default argument, which clang copies for each use
// REMARK19-NOT: remark:
// REMARK14-NOT: remark:
void caller_whole() { whole<char>(); }
