//===- AstFile.h - Is this compile building a PCH or a module? -----------===//
//
// Neither the rewrite nor the GIL analysis works on a precompiled header or
// module as it is built: each compile that uses it does, on the functions
// it takes from it (docs/plugin.md).
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_ASTFILE_H
#define PYMEMCHECK_ASTFILE_H

#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendOptions.h"

namespace pymemcheck {

inline bool buildsAstFile(const clang::CompilerInstance &CI) {
  switch (CI.getFrontendOpts().ProgramAction) {
  case clang::frontend::GeneratePCH:
  case clang::frontend::GenerateModule:
  case clang::frontend::GenerateModuleInterface:
    return true;
  default:
    return CI.getLangOpts().CompilingPCH ||
           CI.getLangOpts().isCompilingModule();
  }
}

} // namespace pymemcheck

#endif // PYMEMCHECK_ASTFILE_H
