// A translation unit with errors: the plugin rewrites nothing once an error
// is reported (there will be no object file), says nothing and does not get
// in the way of clang's own diagnostics.
//
// REQUIRES: plugin
// RUN: %clangxx -std=c++17 -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-remarks -Xclang -verify %s

#include <cstdlib>

void before(std::size_t n) { std::free(std::malloc(n)); }

void bad_argument() {
  std::free(std::malloc(undeclared)); // expected-error {{use of undeclared identifier 'undeclared'}}
}
void too_many() {
  std::free(std::malloc(1, 2)); // expected-error {{too many arguments to function call}}
}
template <class T> void on_member(T x) {
  std::free(std::malloc(x.size())); // expected-error {{member reference base type 'int' is not a structure or union}}
}
void instantiate() { on_member(3); } // expected-note {{in instantiation of function template specialization}}
struct S {
  void *p = std::malloc(nothing); // expected-error {{use of undeclared identifier 'nothing'}}
};
auto generic = [](auto x) { return std::malloc(x); }; // expected-error {{cannot initialize a parameter of type 'size_t'}}
void call_generic() { generic("x"); } // expected-note {{in instantiation of function template specialization}}
// expected-note@* 0+ {{passing argument to parameter}}
