//===- TraceRewriter.h - Rewrite allocation calls into trace calls -------===//
//
// With -fplugin-arg-pymemcheck-trace, every direct call to a function of the
// call catalog (calls.def) is replaced, before CodeGen, by a call to its
// trace entry point with the call's file and line first:
//
//   PyMem_Malloc(n)  ->  _PyMem_MallocTrace("ext.c", 42, n)
//
// docs/plugin.md says what is rewritten, what is left alone and why.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_TRACEREWRITER_H
#define PYMEMCHECK_TRACEREWRITER_H

#include "Options.h"

#include <memory>

namespace clang {
class ASTConsumer;
class CompilerInstance;
} // namespace clang

namespace pymemcheck {

/// The consumer that performs the rewrite; it must run before CodeGen's.
std::unique_ptr<clang::ASTConsumer>
createTraceRewriter(clang::CompilerInstance &CI, Options Opts);

} // namespace pymemcheck

#endif // PYMEMCHECK_TRACEREWRITER_H
