//===- Findings.h - What the checks report, and where it goes ------------===//
//
// A check hands each finding (a warning with its notes and fix-its) to a
// FindingSink, which shows it through clang's diagnostics at the level the
// user asked for, and keeps it for the SARIF file when one was asked for.
//
// Custom diagnostics bypass clang's warning options (-Werror, -w, system
// headers: ../shared/reference/clang-plugin-notes.md section 3), so the sink
// applies them itself.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_FINDINGS_H
#define PYMEMCHECK_FINDINGS_H

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <string>
#include <vector>

namespace clang {
class SourceManager;
class LangOptions;
} // namespace clang

namespace pymemcheck {

/// The checks, each with a stable name: the SARIF ruleId and the plugin
/// arguments no-<name> and error-<name>.
enum class Check { GilCall, GilEscape, GilReturn };
constexpr unsigned NumChecks = 3;
llvm::StringRef checkName(Check C);

/// What the user asked a check to be.
enum class CheckLevel { Off, Warning, Error };

/// What the user asked of each check, indexed by Check.
using CheckLevels = std::array<CheckLevel, NumChecks>;

/// Every check a warning, as without plugin arguments.
inline CheckLevels defaultCheckLevels() {
  CheckLevels Levels;
  Levels.fill(CheckLevel::Warning);
  return Levels;
}

struct FindingNote {
  clang::SourceLocation Loc;
  std::string Message;
};

struct Finding {
  Check Which;
  clang::SourceLocation Loc;
  std::string Message;
  std::vector<FindingNote> Notes;
  std::vector<clang::FixItHint> FixIts;
};

class FindingSink {
public:
  FindingSink(clang::DiagnosticsEngine &Diags, const clang::SourceManager &SM,
              const clang::LangOptions &LangOpts,
              const CheckLevels &Levels, std::string SarifPath);

  /// Shows F unless its check is off, it lies in a system header, or
  /// warnings are off (-w); keeps it for SARIF whenever it is shown.
  void report(Finding F);

  /// Writes the SARIF file, if one was asked for; reports an error if it
  /// cannot be written.  With NotAnalysedBecause, the translation unit was
  /// not analysed: the log has no results, and says why in an invocation
  /// that did not succeed, so that no earlier run's log stays in its place.
  void finish(llvm::StringRef NotAnalysedBecause = "");

private:
  clang::DiagnosticsEngine &Diags;
  const clang::SourceManager &SM;
  const clang::LangOptions &LangOpts;
  CheckLevels Levels;
  std::string SarifPath;
  std::vector<std::pair<Finding, clang::DiagnosticsEngine::Level>> Shown;
};

} // namespace pymemcheck

#endif // PYMEMCHECK_FINDINGS_H
