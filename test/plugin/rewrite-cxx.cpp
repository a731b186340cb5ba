// C++: calls are rewritten in ordinary, static and inline functions, in
// namespaces and extern "C" blocks, in-class methods, lambdas (generic ones
// in their instantiations), template instantiations (never in the
// patterns), constructors' initializers, default arguments, and file-scope
// and static-member initializers.  std::malloc is malloc.  Functions of the
// same name that are not the C library's stay.
//
// REQUIRES: plugin
// RUN: %clangxx -std=c++17 -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s | FileCheck %s
// RUN: %clangxx -std=c++17 -S -emit-llvm -O0 -o - \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefix=IR

#include <cstdlib>
#include <cstring>

// CHECK: void *global = pymemcheck_malloc_trace("{{.*}}", [[@LINE+1]], 1);
void *global = std::malloc(1);
static char *name = strdup("name");
// CHECK: static char *name = pymemcheck_strdup_trace("{{.*}}", [[@LINE-1]], "name");
auto *from_lambda = [] { return calloc(2, 2); }();
// CHECK: return pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], 2, 2);

namespace lib {
// A function of the same name that is not the C library's.
void *malloc(std::size_t n, int tag);
void *pool_alloc(std::size_t n) { return malloc(n, 0) ? malloc(n, 1) : ::malloc(n); }
// CHECK: return malloc(n, 0) ? malloc(n, 1) : pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], n);
inline void *make(std::size_t n) { return std::calloc(1, n); }
// CHECK: return pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], 1, n);
template <class T> T *array(std::size_t n) {
  return static_cast<T *>(std::malloc(n * sizeof(T)));
}
// The pattern stays; the instantiation is rewritten.
// CHECK: template <class T> T *array(std::size_t n) {
// CHECK-NEXT: return static_cast<T *>(std::malloc(n * sizeof(T)));
// CHECK: template<> int *array<int>(std::size_t n) {
// CHECK-NEXT: return static_cast<int *>(pymemcheck_malloc_trace("{{.*}}", [[@LINE-6]], n * sizeof(int)));
} // namespace lib

extern "C" {
static void *c_linkage(std::size_t n) { return malloc(n); }
// CHECK: return pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], n);
}

struct Buffer {
  char *data;
  static void *shared;
  static inline void *inline_shared = malloc(3);
  // CHECK: static void *inline_shared = pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 3);
  explicit Buffer(std::size_t n) : data(static_cast<char *>(malloc(n))) {}
  // CHECK: Buffer(std::size_t n) : data(static_cast<char *>(pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], n))) {
  ~Buffer() { ::free(data); }
  // CHECK: pymemcheck_free_trace("{{.*}}", [[@LINE-1]], this->data);
  void grow(std::size_t n) { data = static_cast<char *>(realloc(data, n)); }
  // CHECK: this->data = static_cast<char *>(pymemcheck_realloc_trace("{{.*}}", [[@LINE-1]], this->data, n));
  void keep(void *p = malloc(4));
  // CHECK: void keep(void *p = pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 4));
  // A method of the same name is another function.
  void free(void *);
  void drop(void *p) { free(p); }
  // CHECK: this->free(p);
  struct Nested {
    void *n = (void *)malloc(5);
    // CHECK: void *n = (void *)pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 5);
  };
};
void *Buffer::shared = malloc(6);
// CHECK: void *shared = pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 6);

template <class T> struct Box {
  T *item = static_cast<T *>(std::malloc(sizeof(T)));
  ~Box() { std::free(item); }
  T *twice() { return static_cast<T *>(std::realloc(item, 2 * sizeof(T))); }
};

// CHECK-LABEL: int main()
int main() {
  auto plain = [](std::size_t n) { return malloc(n); };
  // CHECK: return pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], n);
  auto generic = [](auto n) { return malloc(n); };
  // The generic lambda's body is a pattern: checked in the IR below.
  std::free(plain(1));
  // CHECK: pymemcheck_free_trace("{{.*}}", [[@LINE-1]], plain(1));
  free(generic(2)), free(generic(3L));
  free(lib::pool_alloc(1)), free(lib::make(1)), free(lib::array<int>(2));
  free(c_linkage(1));
  Buffer b(8);
  b.grow(16);
  Box<double> box;
  box.twice();
  struct Local {
    void *get() { return malloc(7); }
    // CHECK: return pymemcheck_malloc_trace("{{.*}}", [[@LINE-1]], 7);
  } local;
  free(local.get());
  free(global), free(name), free(from_lambda);
  return 0;
}

// The generic lambda's two instantiations; no call to the C library is
// left (Box<double>'s default member initializer included), and no trace
// call of a nothrow function may throw.
// IR-LABEL: define internal {{.*}} @"_ZZ4mainENK{{.*}}clIiEEDaT_"(
// IR: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef [[#@LINE-24]], i64 noundef
// IR-LABEL: define internal {{.*}} @"_ZZ4mainENK{{.*}}clIlEEDaT_"(
// IR: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef [[#@LINE-26]], i64 noundef
// IR-NOT: call {{.*}}@{{malloc|calloc|realloc|free|strdup}}(
// IR-NOT: invoke {{.*}}_trace(
