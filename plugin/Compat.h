//===- Compat.h - Every Clang-version difference pymemcheck meets --------===//
//
// The plugin is built against each supported LLVM major (14 and 19 on
// Debian 12).  Any API that differs between them is wrapped here, and only
// here, so the checkers read the same on every version.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_COMPAT_H
#define PYMEMCHECK_COMPAT_H

#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/LangOptions.h"
#include "clang/Basic/TargetInfo.h"
#include "clang/Basic/Version.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"

#define PYMEMCHECK_CLANG_VERSION_FULL                                          \
  (CLANG_VERSION_MAJOR * 100 + CLANG_VERSION_MINOR)

namespace pymemcheck {
namespace compat {

// StringRef::startswith and endswith are gone in 19; starts_with and
// ends_with arrived in 16.
inline bool startsWith(llvm::StringRef S, llvm::StringRef Prefix) {
  return S.substr(0, Prefix.size()) == Prefix;
}
inline bool endsWith(llvm::StringRef S, llvm::StringRef Suffix) {
  return S.size() >= Suffix.size() &&
         S.substr(S.size() - Suffix.size()) == Suffix;
}

// The kind of a plain "..." literal: StringLiteral::Ascii until 14,
// StringLiteral::Ordinary in 15-17, StringLiteralKind::Ordinary from 18.
#if CLANG_VERSION_MAJOR >= 18
inline clang::StringLiteralKind ordinaryStringKind() {
  return clang::StringLiteralKind::Ordinary;
}
#elif CLANG_VERSION_MAJOR >= 15
inline clang::StringLiteral::StringKind ordinaryStringKind() {
  return clang::StringLiteral::Ordinary;
}
#else
inline clang::StringLiteral::StringKind ordinaryStringKind() {
  return clang::StringLiteral::Ascii;
}
#endif

// extern "C": LinkageSpecDecl::lang_c until 17,
// LinkageSpecLanguageIDs::C from 18.
#if CLANG_VERSION_MAJOR >= 18
inline clang::LinkageSpecLanguageIDs cLanguageLinkage() {
  return clang::LinkageSpecLanguageIDs::C;
}
#else
inline clang::LinkageSpecDecl::LanguageIDs cLanguageLinkage() {
  return clang::LinkageSpecDecl::lang_c;
}
#endif

// Apply -fmacro-prefix-map (and -ffile-prefix-map, which implies it) to a
// path the way __FILE__ does.  15 made that one function of the
// preprocessor; 14 applies LangOptions::MacroPrefixMap and nothing else.
inline void applyFileMacroPrefixMap(llvm::SmallString<256> &Path,
                                    const clang::LangOptions &LangOpts,
                                    const clang::TargetInfo &Target) {
#if CLANG_VERSION_MAJOR >= 15
  clang::Preprocessor::processPathForFileMacro(Path, LangOpts, Target);
#else
  (void)Target;
  LangOpts.remapPathPrefix(Path);
#endif
}

// The variable whose `__attribute__((cleanup(f)))` call E is.  The CFG
// has an element for that call from clang 18 (CFGCleanupFunction); before,
// it leaves the call out, and there is none to find.
inline const clang::VarDecl *cleanedUpVariable(const clang::CFGElement &E) {
#if CLANG_VERSION_MAJOR >= 18
  if (auto C = E.getAs<clang::CFGCleanupFunction>())
    return C->getVarDecl();
#else
  (void)E;
#endif
  return nullptr;
}

// Since 16 (CWG2631), a default argument or default member initializer that
// holds a source-location builtin or an immediate call is copied for each
// use, and CodeGen emits the expression a use holds (which may be the
// declaration's own); 14 always emits the declaration's own.
template <class DefaultExpr> clang::Expr *rewrittenInit(DefaultExpr *Use) {
#if CLANG_VERSION_MAJOR >= 16
  return Use->hasRewrittenInit() ? Use->getRewrittenExpr() : nullptr;
#else
  (void)Use;
  return nullptr;
#endif
}

} // namespace compat
} // namespace pymemcheck

#endif // PYMEMCHECK_COMPAT_H
