// Building a precompiled header with the plugin loaded analyses nothing;
// each compile that uses it analyses the functions it takes from it, as
// for the rewrite (docs/plugin.md).
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir %t
// RUN: %clang -std=c11 -x c-header -I%py_include -fplugin=%plugin %S/Inputs/gil-pch.h -o %t/gil-pch.h.pch 2>&1 | count 0
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -I%S/Inputs -include-pch %t/gil-pch.h.pch -Xclang -verify %s

// expected-warning@gil-pch.h:9 {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
// expected-note@gil-pch.h:8 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
// expected-note@gil-pch.h:4 {{'header_helper' needs the GIL: it calls 'PyMem_Malloc' here}}

void use(void) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  header_helper(4); // expected-warning {{call to 'header_helper' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}
