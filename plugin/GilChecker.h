//===- GilChecker.h - Find calls made without the GIL --------------------===//
//
// The plugin's default job.  Each function's CFG is walked with the GIL
// state (held, released, unknown, released on some paths) as the dataflow
// value; functions summarise what they need and do ("needs the GIL at
// entry", "returns with it released"), and summaries are propagated over
// the translation unit's call graph to a fixpoint.  Entry states come from
// how a function is used (thread start routines, Py_AtExit callbacks, RAW
// allocators, an embedder's main) and from pymemcheck/gil.h annotations.
// docs/plugin.md says what it reports and what it cannot see.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_GILCHECKER_H
#define PYMEMCHECK_GILCHECKER_H

#include "Options.h"

#include <memory>

namespace clang {
class ASTConsumer;
class CompilerInstance;
} // namespace clang

namespace pymemcheck {

/// The consumer that runs the analysis at the end of the translation unit.
std::unique_ptr<clang::ASTConsumer>
createGilChecker(clang::CompilerInstance &CI, const Options &Opts);

} // namespace pymemcheck

#endif // PYMEMCHECK_GILCHECKER_H
