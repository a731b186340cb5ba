//===- RawFixIt.h - The Raw-domain fix-it of the GIL analysis -----------===//
//
// A call that needs the GIL where it is released can often keep its block
// in the Raw domain, which needs none: the fix-it that says so, and when it
// is safe to offer.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_RAWFIXIT_H
#define PYMEMCHECK_RAWFIXIT_H

#include "clang/Basic/Diagnostic.h"

#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class FunctionDecl;
class VarDecl;
} // namespace clang

namespace pymemcheck {

class CPythonHeaders;

/// The Raw-domain fix-it for a block the function allocates and frees
/// itself: PyMem_Malloc -> PyMem_RawMalloc at the allocation and
/// PyMem_Free -> PyMem_RawFree at every free, offered only when the block
/// cannot be seen anywhere else (a local variable, never stored, returned
/// or passed but to the C library), so that no free is out of view, and
/// the function both allocates and frees it: a block it does not free is
/// kept (by putenv, ...) or freed somewhere the fix-it cannot follow.
///
/// Returns the variable holding the block Call (in FD) allocates or frees
/// when the fix-it is safe, with its edits in Hints; null otherwise.
const clang::VarDecl *rawFixIt(const clang::FunctionDecl &FD,
                               const clang::CallExpr &Call,
                               clang::ASTContext &Ctx,
                               const CPythonHeaders &Headers,
                               std::vector<clang::FixItHint> &Hints);

} // namespace pymemcheck

#endif // PYMEMCHECK_RAWFIXIT_H
