//===- Compat.h - Every Clang-version difference pymemcheck meets --------===//
//
// The plugin is built against each supported LLVM major (14 and 19 on
// Debian 12).  Any API that differs between them is wrapped here, and only
// here, so the checkers read the same on every version.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_COMPAT_H
#define PYMEMCHECK_COMPAT_H

#include "clang/Basic/Version.h"
#include "llvm/ADT/StringRef.h"

#define PYMEMCHECK_CLANG_VERSION_FULL                                          \
  (CLANG_VERSION_MAJOR * 100 + CLANG_VERSION_MINOR)

namespace pymemcheck {
namespace compat {

// StringRef::startswith is gone in 19; starts_with arrived in 16.
inline bool startsWith(llvm::StringRef S, llvm::StringRef Prefix) {
  return S.substr(0, Prefix.size()) == Prefix;
}

} // namespace compat
} // namespace pymemcheck

#endif // PYMEMCHECK_COMPAT_H
