//===- CPythonHeaders.h - Which files are CPython's own headers ----------===//
//
// The GIL analysis takes CPython's own inline functions as documented
// instead of analysing them, and reads "the C API" as what CPython's
// headers declare: both need to tell CPython's headers from everything
// else a translation unit includes.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_CPYTHONHEADERS_H
#define PYMEMCHECK_CPYTHONHEADERS_H

#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace clang {
class FunctionDecl;
class SourceManager;
} // namespace clang

namespace pymemcheck {

/// Which files are CPython's own headers: those of the directory holding
/// Python.h (structmember.h too), and of the two subdirectories CPython
/// installs there, cpython/ and internal/.  Not the other directories
/// below it: packages install their headers there too (greenlet/, and on
/// Debian a numpy/ link into numpy's own tree), and their inline functions
/// and API are theirs.  A project's own header is not CPython's, whatever
/// its path says (a project under ~/python/, python-ldap), nor are the C
/// library's headers Python.h includes (<string.h>'s memcpy is not the C
/// API).
class CPythonHeaders {
public:
  explicit CPythonHeaders(const clang::SourceManager &SM) : SM(SM) {}

  /// Learns from Loc's file: when Python.h includes it, where Python.h is.
  void see(clang::SourceLocation Loc) { reachedThroughPythonH(fileOf(Loc)); }

  /// True when Loc lies in one of CPython's headers, as far as the files
  /// seen so far tell.
  bool contains(clang::SourceLocation Loc) const;

  /// True when FD is CPython's, whatever its name: declared in one of its
  /// headers.  A translation unit that never includes Python.h (code on
  /// pymemcheck's standalone pymem.h, declarations written by hand) has no
  /// header to tell by; there, CPython's are the functions named like the
  /// C API (Py*, _Py*) that it does not define.
  bool declares(const clang::FunctionDecl &FD) const;

private:
  const clang::SourceManager &SM;
  // What the include stacks walked so far showed (a cache).
  llvm::DenseMap<clang::FileID, bool> Reached;
  std::vector<std::string> Dirs;

  clang::FileID fileOf(clang::SourceLocation Loc) const;
  llvm::StringRef nameOf(clang::FileID F) const;
  bool reachedThroughPythonH(clang::FileID F);
};

} // namespace pymemcheck

#endif // PYMEMCHECK_CPYTHONHEADERS_H
