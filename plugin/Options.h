//===- Options.h - What the plugin was asked to do -----------------------===//
//
// The plugin arguments (-fplugin-arg-pymemcheck-<arg>), parsed once by
// PymemcheckAction and handed to the checkers.  The accepted arguments are
// listed in PymemcheckAction.cpp's help table and in docs/plugin.md.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_OPTIONS_H
#define PYMEMCHECK_OPTIONS_H

#include "CallCatalog.h"
#include "Findings.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/GlobPattern.h"

#include <memory>
#include <string>
#include <vector>

namespace pymemcheck {

/// A glob (llvm::GlobPattern) with the text it was made from, which LLVM 14's
/// GlobPattern refers to and so must outlive it.
class Pattern {
public:
  /// Null, with Error set, when Text is not a valid glob.
  static std::unique_ptr<Pattern> create(llvm::StringRef Text,
                                         std::string &Error);

  bool match(llvm::StringRef S) const { return Glob.match(S); }
  llvm::StringRef text() const { return Text; }

private:
  Pattern(std::string Text) : Text(std::move(Text)) {}
  std::string Text;
  llvm::GlobPattern Glob;
};

struct Options {
  /// -fplugin-arg-pymemcheck-trace: rewrite allocation calls.
  bool Trace = false;
  /// trace-families=: the families to rewrite, as familyBit()s.
  unsigned Families = AllFamilies;
  /// trace-exclude-file=: leave calls in files whose __FILE__ name matches.
  std::vector<std::unique_ptr<Pattern>> ExcludeFiles;
  /// trace-exclude-function=: leave calls in functions whose qualified
  /// name matches.
  std::vector<std::unique_ptr<Pattern>> ExcludeFunctions;
  /// trace-system-headers: also rewrite calls written in system headers.
  bool SystemHeaders = false;
  /// remarks: say, as remarks, which calls are left alone and why.
  bool Remarks = false;

  /// The GIL analysis's checks, by Check: no-<check> turns one off,
  /// error-<check> makes it an error.
  CheckLevels Levels = defaultCheckLevels();
  /// gil-api=all: check the whole C API, not only the memory API.
  bool GilApiAll = false;
  /// sarif=<path>: also write the findings there, as SARIF 2.1.0.
  std::string SarifPath;
  /// gil-summaries=<dir>: share function summaries with the other
  /// translation units compiled with the same directory.
  std::string GilSummariesDir;
  /// gil-stats: say how much the analysis did, and how fast.
  bool GilStats = false;

  bool traces(Family F) const { return Families & familyBit(F); }
  bool analysesGil() const {
    for (CheckLevel L : Levels)
      if (L != CheckLevel::Off)
        return true;
    return false;
  }
};

} // namespace pymemcheck

#endif // PYMEMCHECK_OPTIONS_H
