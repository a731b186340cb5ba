//===- PymemcheckAction.cpp - The pymemcheck Clang plugin ----------------===//
//
// Registers the plugin under the name "pymemcheck" and parses its
// arguments (-fplugin-arg-pymemcheck-<arg>).  It runs before the main
// action, so that later checkers may rewrite calls before CodeGen sees
// them, and never replaces the compile: with no checker asking for work the
// object file is the one clang would have produced without the plugin.
//
//===----------------------------------------------------------------------===//

#include "Compat.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

using namespace clang;

namespace {

struct ArgumentHelp {
  const char *Name;
  const char *Description;
};

// The one place plugin arguments are listed; docs/plugin.md mirrors it.
const ArgumentHelp KnownArguments[] = {
    {"help", "print this list of arguments"},
};

void printHelp(llvm::raw_ostream &OS) {
  OS << "pymemcheck: Clang plugin arguments "
        "(pass each as -fplugin-arg-pymemcheck-<argument>):\n";
  for (const ArgumentHelp &A : KnownArguments)
    OS << "  " << A.Name << "\t" << A.Description << "\n";
}

class PymemcheckAction : public PluginASTAction {
protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    return std::make_unique<ASTConsumer>();
  }

  bool ParseArgs(const CompilerInstance &CI,
                 const std::vector<std::string> &Args) override {
    DiagnosticsEngine &Diags = CI.getDiagnostics();
    for (const std::string &Arg : Args) {
      if (Arg == "help") {
        printHelp(llvm::errs());
        continue;
      }
      unsigned ID = Diags.getCustomDiagID(
          DiagnosticsEngine::Error,
          "pymemcheck: unknown plugin argument '%0'; "
          "-fplugin-arg-pymemcheck-help lists the accepted ones");
      Diags.Report(ID) << Arg;
      return false;
    }
    return true;
  }

  ActionType getActionType() override { return AddBeforeMainAction; }
};

} // namespace

static FrontendPluginRegistry::Add<PymemcheckAction>
    X("pymemcheck", "pymemcheck: GIL misuse checks and allocation tracing");
