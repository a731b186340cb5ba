// A C++ header for pch-cxx.cpp, compiled into a precompiled header.
#ifndef PCH_CXX_HEADER_HPP
#define PCH_CXX_HEADER_HPP

#include <cstdlib>

template <class T> T *make(std::size_t n) {
  return static_cast<T *>(std::malloc(n * sizeof(T)));
}

inline int *header_ints() { return make<int>(4); }

struct Pool {
  char *block = static_cast<char *>(std::calloc(1, 8));
  void *grow() { return std::realloc(block, 16); }
  ~Pool() { std::free(block); }
};

#endif
