//===- PymemcheckAction.cpp - The pymemcheck Clang plugin ----------------===//
//
// Registers the plugin under the name "pymemcheck" and parses its
// arguments (-fplugin-arg-pymemcheck-<arg>) into an Options.  It runs before
// the main action, so that the trace rewrite changes calls before CodeGen
// sees them, and never replaces the compile: with nothing asked of it the
// object file is the one clang would have produced without the plugin.
//
//===----------------------------------------------------------------------===//

#include "Compat.h"
#include "GilChecker.h"
#include "Options.h"
#include "TraceRewriter.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Frontend/MultiplexConsumer.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

using namespace clang;
using namespace pymemcheck;

namespace {

struct ArgumentHelp {
  const char *Name;
  const char *Description;
};

// The one place plugin arguments are listed; docs/plugin.md mirrors it.
// Renaming one is a breaking change.
const ArgumentHelp KnownArguments[] = {
    {"help", "print this list"},
    {"no-gil-call", "do not report calls made without the GIL"},
    {"error-gil-call", "report them as errors"},
    {"no-gil-escape", "do not report GIL-needing functions passed to "
                      "foreign code"},
    {"error-gil-escape", "report those as errors"},
    {"no-gil-return", "do not report returns that leave the GIL released"},
    {"error-gil-return", "report those as errors"},
    {"gil-api=<memory|all>", "check the memory API (default) or all of it"},
    {"sarif=<path>", "also write the findings to <path> as SARIF 2.1.0"},
    {"gil-summaries=<dir>", "share GIL summaries with the other files "
                            "compiled with this <dir>"},
    {"gil-stats", "print the GIL analysis's own figures"},
    {"trace", "rewrite allocation calls into trace calls"},
    {"trace-families=<list>", "only these: libc,raw,mem,obj (default: all)"},
    {"trace-exclude-file=<glob>", "not in files whose __FILE__ matches"},
    {"trace-exclude-function=<glob>", "not in functions whose name matches"},
    {"trace-system-headers", "also in system headers"},
    {"remarks", "explain, as remarks, the calls left alone"},
};

void printHelp(llvm::raw_ostream &OS) {
  OS << "pymemcheck: Clang plugin arguments "
        "(pass each as -fplugin-arg-pymemcheck-<argument>):\n";
  for (const ArgumentHelp &A : KnownArguments) {
    OS << "  " << A.Name;
    OS.indent(31 - std::min<size_t>(30, llvm::StringRef(A.Name).size()));
    OS << A.Description << "\n";
  }
}

std::string acceptedFamilies() {
  std::string S;
  for (unsigned I = 0; I != NumFamilies; ++I) {
    if (I)
      S += ", ";
    S += familyName(static_cast<Family>(I)).str();
  }
  return S;
}

class ArgumentParser {
public:
  explicit ArgumentParser(DiagnosticsEngine &Diags) : Diags(Diags) {}

  /// Parses Args into Opts; false, after reporting an error, on a bad one.
  bool parse(const std::vector<std::string> &Args, Options &Opts) {
    bool SawRefinement = false;
    for (const std::string &Arg : Args) {
      llvm::StringRef A(Arg);
      llvm::StringRef Name = A, Value;
      bool HasValue = false;
      size_t Eq = A.find('=');
      if (Eq != llvm::StringRef::npos) {
        Name = A.substr(0, Eq);
        Value = A.substr(Eq + 1);
        HasValue = true;
      }

      if (Name == "help" && !HasValue) {
        printHelp(llvm::errs());
      } else if (std::optional<std::pair<Check, CheckLevel>> C =
                     checkSwitch(Name);
                 C && !HasValue) {
        Opts.Levels[static_cast<unsigned>(C->first)] = C->second;
      } else if (Name == "gil-summaries" && HasValue) {
        if (Value.empty()) {
          error("pymemcheck: empty path in "
                "-fplugin-arg-pymemcheck-gil-summaries=; give the directory "
                "every compile of the project shares, such as 'build/gil'");
          return false;
        }
        Opts.GilSummariesDir = Value.str();
      } else if (Name == "gil-stats" && !HasValue) {
        Opts.GilStats = true;
      } else if (Name == "gil-api" && HasValue) {
        if (Value != "memory" && Value != "all") {
          error("pymemcheck: unknown value '%0' in "
                "-fplugin-arg-pymemcheck-gil-api=; accepted: memory, all")
              << Value;
          return false;
        }
        Opts.GilApiAll = Value == "all";
      } else if (Name == "sarif" && HasValue) {
        if (Value.empty()) {
          error("pymemcheck: empty path in -fplugin-arg-pymemcheck-sarif=; "
                "give the file to write, such as 'ext.sarif'");
          return false;
        }
        Opts.SarifPath = Value.str();
      } else if (Name == "trace" && !HasValue) {
        Opts.Trace = true;
      } else if (Name == "trace-system-headers" && !HasValue) {
        Opts.SystemHeaders = true;
        SawRefinement = true;
      } else if (Name == "remarks" && !HasValue) {
        Opts.Remarks = true;
      } else if (Name == "trace-families" && HasValue) {
        if (!parseFamilies(Value, Opts.Families))
          return false;
        SawRefinement = true;
      } else if ((Name == "trace-exclude-file" ||
                  Name == "trace-exclude-function") &&
                 HasValue) {
        std::unique_ptr<Pattern> P = parsePattern(Name, Value);
        if (!P)
          return false;
        (Name == "trace-exclude-file" ? Opts.ExcludeFiles
                                      : Opts.ExcludeFunctions)
            .push_back(std::move(P));
        SawRefinement = true;
      } else {
        error("pymemcheck: unknown plugin argument '%0'; "
              "-fplugin-arg-pymemcheck-help lists the accepted ones")
            << Arg;
        return false;
      }
    }
    if (SawRefinement && !Opts.Trace)
      report(DiagnosticsEngine::Warning,
             "pymemcheck: the trace-* plugin arguments have no effect "
             "without -fplugin-arg-pymemcheck-trace");
    return true;
  }

private:
  DiagnosticsEngine &Diags;

  template <unsigned N>
  DiagnosticBuilder report(DiagnosticsEngine::Level L, const char (&Msg)[N]) {
    return Diags.Report(Diags.getCustomDiagID(L, Msg));
  }
  template <unsigned N> DiagnosticBuilder error(const char (&Msg)[N]) {
    return report(DiagnosticsEngine::Error, Msg);
  }

  /// no-<check> and error-<check>.
  static std::optional<std::pair<Check, CheckLevel>>
  checkSwitch(llvm::StringRef Name) {
    for (unsigned I = 0; I != NumChecks; ++I) {
      Check C = static_cast<Check>(I);
      if (Name == ("no-" + checkName(C)).str())
        return std::make_pair(C, CheckLevel::Off);
      if (Name == ("error-" + checkName(C)).str())
        return std::make_pair(C, CheckLevel::Error);
    }
    return std::nullopt;
  }

  bool parseFamilies(llvm::StringRef List, unsigned &Families) {
    llvm::SmallVector<llvm::StringRef, 4> Names;
    List.split(Names, ',');
    unsigned Set = 0;
    for (llvm::StringRef Name : Names) {
      std::optional<Family> F = parseFamily(Name.trim());
      if (!F) {
        error("pymemcheck: unknown family '%0' in "
              "-fplugin-arg-pymemcheck-trace-families; accepted: %1")
            << Name << acceptedFamilies();
        return false;
      }
      Set |= familyBit(*F);
    }
    Families = Set;
    return true;
  }

  std::unique_ptr<Pattern> parsePattern(llvm::StringRef Name,
                                        llvm::StringRef Value) {
    if (Value.empty()) {
      error("pymemcheck: empty pattern in -fplugin-arg-pymemcheck-%0=; "
            "give a glob such as '*/vendor/*'")
          << Name;
      return nullptr;
    }
    std::string Why;
    std::unique_ptr<Pattern> P = Pattern::create(Value, Why);
    if (!P)
      error("pymemcheck: bad pattern '%0' in -fplugin-arg-pymemcheck-%1=: "
            "%2; accepted: a glob with *, ? and [...]")
          << Value << Name << Why;
    return P;
  }
};

class PymemcheckAction : public PluginASTAction {
protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    // The rewrite must see each function before CodeGen does; the GIL
    // analysis needs the whole translation unit, so it runs last, and
    // recognises the calls the rewrite made.
    // A SARIF file asked for is written whatever the checks are.
    std::unique_ptr<ASTConsumer> Gil;
    if (Opts.analysesGil() || !Opts.SarifPath.empty())
      Gil = createGilChecker(CI, Opts);
    std::vector<std::unique_ptr<ASTConsumer>> Consumers;
    if (Opts.Trace)
      Consumers.push_back(createTraceRewriter(CI, std::move(Opts)));
    if (Gil)
      Consumers.push_back(std::move(Gil));
    if (Consumers.empty())
      return std::make_unique<ASTConsumer>();
    if (Consumers.size() == 1)
      return std::move(Consumers.front());
    return std::make_unique<MultiplexConsumer>(std::move(Consumers));
  }

  bool ParseArgs(const CompilerInstance &CI,
                 const std::vector<std::string> &Args) override {
    return ArgumentParser(CI.getDiagnostics()).parse(Args, Opts);
  }

  ActionType getActionType() override { return AddBeforeMainAction; }

private:
  Options Opts;
};

} // namespace

std::unique_ptr<Pattern> Pattern::create(llvm::StringRef Text,
                                         std::string &Error) {
  std::unique_ptr<Pattern> P(new Pattern(Text.str()));
  llvm::Expected<llvm::GlobPattern> G = llvm::GlobPattern::create(P->Text);
  if (!G) {
    Error = llvm::toString(G.takeError());
    return nullptr;
  }
  P->Glob = std::move(*G);
  return P;
}

static FrontendPluginRegistry::Add<PymemcheckAction>
    X("pymemcheck", "pymemcheck: GIL misuse checks and allocation tracing");
