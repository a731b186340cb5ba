// What is not a direct call to the external catalog function stays as it
// was: a static function of the same name, an address taken, operands that
// are never evaluated, calls written in system headers (unless asked for),
// and calls inside the trace entry points themselves.
//
// REQUIRES: plugin
// RUN: %clang -std=gnu11 -fsyntax-only -Xclang -ast-print -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefixes=CHECK,DEFAULT
// RUN: %clang -std=gnu11 -fsyntax-only -Xclang -ast-print -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-trace-system-headers %s \
// RUN:   | FileCheck %s --check-prefixes=CHECK,SYSTEM
// A user's static function called malloc, in a file of its own:
// RUN: %clang -fsyntax-only -Xclang -ast-print -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace %S/Inputs/static-malloc.c \
// RUN:   | FileCheck %S/Inputs/static-malloc.c

#include <pmc_sysalloc.h>

// In the system header, malloc stays unless trace-system-headers.
// DEFAULT: static inline void *sys_make(size_t n) {
// DEFAULT-NEXT: return malloc(n);
// SYSTEM: static inline void *sys_make(size_t n) {
// SYSTEM-NEXT: return pymemcheck_malloc_trace("{{.*}}Inputs/sys{{/|\\\\}}pmc_sysalloc.h", 5, n);

typedef void *(*allocator)(size_t);
extern void use(void *);
extern void take(allocator, void (*)(void *));

// CHECK-LABEL: void not_calls(
void not_calls(size_t n) {
  allocator f = malloc;
  // CHECK: allocator f = malloc;
  take(malloc, free);
  // CHECK: take(malloc, free);
  use(f(n));
  // CHECK: use(f(n));
  use((n ? malloc : f)(n));
  // CHECK: use((n ? malloc : f)(n));
}

// CHECK-LABEL: void unevaluated(
void unevaluated(size_t n) {
  size_t s = sizeof(malloc(n)) + _Alignof(__typeof__(free(0)) *);
  // CHECK: size_t s = sizeof (malloc(n)) + _Alignof(typeof (free(0)) *);
  __typeof__(calloc(1, n)) t = 0;
  // CHECK: typeof (calloc(1, n)) t = 0;
  int g = _Generic(malloc(n), void *: 1, default: 2);
  // CHECK: int g = _Generic(malloc(n), void *: 1, default: 2);
  void *u = _Generic(g, int: malloc(n), default: calloc(1, 1));
  // CHECK: void *u = _Generic(g, int: pymemcheck_malloc_trace("{{.*}}rewrite-untouched.c", [[@LINE-1]], n), default: calloc(1, 1));
  void *v = __builtin_choose_expr(0, malloc(1), calloc(2, n));
  // CHECK: void *v = __builtin_choose_expr(0, malloc(1), pymemcheck_calloc_trace("{{.*}}rewrite-untouched.c", [[@LINE-1]], 2, n));
  use(t), use(u), use(v), use(&s);
}

// A system macro used in user code is the user's call; an inline function
// of a system header called from user code is not.
// CHECK-LABEL: void through_system_macros(
void through_system_macros(void) {
  use(SYS_ALLOC(8));
  // CHECK: use(pymemcheck_malloc_trace("{{.*}}rewrite-untouched.c", [[@LINE-1]], 8));
  use(SYS_ALLOC_THROUGH_INLINE());
  // CHECK: use(sys_make(4));
}

// The runtime is compiled with the rewrite too: calls in a trace entry
// point are its own, and stay.
// CHECK-LABEL: void *pymemcheck_malloc_trace(
void *pymemcheck_malloc_trace(const char *file, int line, size_t n) {
  (void)file, (void)line;
  return malloc(n);
  // CHECK: return malloc(n);
}
