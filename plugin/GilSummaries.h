//===- GilSummaries.h - GIL summaries shared across translation units ----===//
//
// With -fplugin-arg-pymemcheck-gil-summaries=<dir>, each compile writes the
// summaries of the C functions it defines for others to see (one file per
// main file, <dir>/<hash>.gil.json), and reads the summaries the other
// compiles wrote: a helper defined in another file that needs the GIL is
// then reported where it is called without it.
//
// A compile writes what its own translation unit shows, never what it read,
// and a reader closes "needs the GIL" over all the files it finds.  So once
// every file has been compiled once, a second compile of any file gives the
// same findings whatever order the first pass ran in.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_GILSUMMARIES_H
#define PYMEMCHECK_GILSUMMARIES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace pymemcheck {

/// Where something is, as text: another translation unit's source is not
/// in this compile's SourceManager.
struct TextLocation {
  std::string File;
  unsigned Line = 0;
};

/// What one translation unit says of one of its functions.
struct LocalSummary {
  std::string Name;
  /// It needs the GIL because of what its own translation unit shows: the
  /// chain of calls down to what needs it, one line a step.
  bool NeedsGil = false;
  std::vector<std::string> NeedsChain;
  bool Releases = false;
  bool Acquires = false;
  /// Calls to functions defined elsewhere, made with the caller's state:
  /// if one of those needs the GIL, so does this function.
  struct Call {
    std::string Callee;
    TextLocation At;
  };
  std::vector<Call> UnknownStateCalls;
};

/// What the other translation units say of a function, closed over them.
struct ExternalSummary {
  bool NeedsGil = false;
  bool Releases = false;
  bool Acquires = false;
  /// The chain of calls down to what needs the GIL, one line a step:
  /// "'f' needs the GIL: it calls 'g' at other.c:12".
  std::vector<std::string> Chain;
};

class SummaryStore {
public:
  /// The file a compile of MainFile, its absolute path with links
  /// resolved, writes in the directory.
  static std::string fileFor(llvm::StringRef Dir, llvm::StringRef MainFile);

  /// Writes Summaries to Path (atomically, by a rename); false with Error
  /// set when it cannot.
  static bool write(llvm::StringRef Path, llvm::ArrayRef<LocalSummary> Summaries,
                    std::string &Error);

  /// Reads every summary file in Dir but Skip; false with Error set on a
  /// file that cannot be read or parsed.
  bool read(llvm::StringRef Dir, llvm::StringRef Skip, std::string &Error);

  /// The summary of the function called Name, or null.
  const ExternalSummary *find(llvm::StringRef Name) const;

private:
  llvm::StringMap<ExternalSummary> Summaries;
};

} // namespace pymemcheck

#endif // PYMEMCHECK_GILSUMMARIES_H
