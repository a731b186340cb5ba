//===- Findings.cpp - What the checks report, and where it goes ----------===//
//
// The SARIF file follows SARIF 2.1.0 (OASIS), with what clang's own SARIF
// output leaves out: a stable ruleId per check, the notes as related
// locations (each also named in the message's text), and the fix-its as
// fixes that code-review tools can offer to apply.
//
//===----------------------------------------------------------------------===//

#include "Findings.h"

#include "clang/Basic/DiagnosticIDs.h"
#include "clang/Basic/LangOptions.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Basic/Version.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace pymemcheck {

namespace {

struct RuleText {
  const char *Name;
  const char *Short;
  const char *Help;
};

const RuleText Rules[NumChecks] = {
    {"CallWithoutGil",
     "A call that needs the GIL is made where the GIL is not held.",
     "Hold the GIL around the call (Py_END_ALLOW_THREADS, "
     "PyGILState_Ensure), or call a function that does not need it "
     "(PyMem_RawMalloc for PyMem_Malloc)."},
    {"GilFunctionEscapes",
     "A C API function that needs the GIL is handed to foreign code, which "
     "may call it without the GIL.",
     "Pass a wrapper that takes the GIL (PyGILState_Ensure), or a Raw "
     "domain function."},
    {"ReturnWithGilReleased",
     "A function returns with the GIL released while the thread state that "
     "released it is held only in one of its local variables: the state is "
     "lost, and its caller runs without the GIL.",
     "Take the GIL back before returning (Py_BLOCK_THREADS inside a "
     "Py_BEGIN_ALLOW_THREADS block, PyEval_RestoreThread), or return after "
     "Py_END_ALLOW_THREADS."},
};

/// The column of Loc in UTF-16 code units, which the log declares
/// (columnKind utf16CodeUnits, what GitHub code scanning and editors
/// count in).  Clang counts bytes, which differ as soon as the line holds
/// non-ASCII text before Loc.  A byte that is not part of valid UTF-8
/// counts as one unit, as the replacement character a reader shows.
unsigned utf16Column(const SourceManager &SM, SourceLocation Loc) {
  unsigned ByteColumn = SM.getSpellingColumnNumber(Loc);
  std::pair<FileID, unsigned> At = SM.getDecomposedSpellingLoc(Loc);
  bool Invalid = false;
  llvm::StringRef Buffer = SM.getBufferData(At.first, &Invalid);
  if (Invalid || ByteColumn == 0 || At.second < ByteColumn - 1 ||
      At.second > Buffer.size())
    return ByteColumn;
  llvm::StringRef Before =
      Buffer.substr(At.second - (ByteColumn - 1), ByteColumn - 1);
  auto *Text = reinterpret_cast<const llvm::UTF8 *>(Before.data());
  size_t Size = Before.size();
  unsigned Units = 0;
  for (size_t I = 0; I < Size;) {
    unsigned Length = llvm::getNumBytesForUTF8(Text[I]);
    if (Length > Size - I ||
        !llvm::isLegalUTF8Sequence(Text + I, Text + I + Length))
      Length = 1;
    // Four bytes encode a code point outside the BMP: a surrogate pair.
    Units += Length == 4 ? 2 : 1;
    I += Length;
  }
  return Units + 1;
}

llvm::json::Object region(const SourceManager &SM, SourceLocation Begin,
                          SourceLocation End) {
  llvm::json::Object R{{"startLine", SM.getSpellingLineNumber(Begin)},
                       {"startColumn", utf16Column(SM, Begin)}};
  if (End.isValid()) {
    R["endLine"] = SM.getSpellingLineNumber(End);
    R["endColumn"] = utf16Column(SM, End);
  }
  return R;
}

llvm::json::Object artifact(const SourceManager &SM, SourceLocation Loc) {
  // The name as clang was given it, so that the file is the same whatever
  // directory the build ran in, as a relative URI reference.
  llvm::StringRef Name = SM.getFilename(SM.getSpellingLoc(Loc));
  return llvm::json::Object{{"uri", Name.str()}};
}

llvm::json::Object physicalLocation(const SourceManager &SM,
                                    SourceLocation Loc) {
  Loc = SM.getFileLoc(Loc);
  return llvm::json::Object{{"artifactLocation", artifact(SM, Loc)},
                            {"region", region(SM, Loc, SourceLocation())}};
}

const char *sarifLevel(DiagnosticsEngine::Level L) {
  return L == DiagnosticsEngine::Error ? "error" : "warning";
}

} // namespace

llvm::StringRef checkName(Check C) {
  switch (C) {
  case Check::GilCall:
    return "gil-call";
  case Check::GilEscape:
    return "gil-escape";
  case Check::GilReturn:
    return "gil-return";
  }
  return "";
}

FindingSink::FindingSink(DiagnosticsEngine &Diags, const SourceManager &SM,
                         const LangOptions &LangOpts,
                         const CheckLevels &Levels, std::string SarifPath)
    : Diags(Diags), SM(SM), LangOpts(LangOpts), Levels(Levels),
      SarifPath(std::move(SarifPath)) {}

void FindingSink::report(Finding F) {
  CheckLevel Asked = Levels[static_cast<unsigned>(F.Which)];
  if (Asked == CheckLevel::Off || SM.isInSystemHeader(SM.getExpansionLoc(F.Loc)))
    return;
  DiagnosticsEngine::Level Level = DiagnosticsEngine::Error;
  if (Asked == CheckLevel::Warning) {
    if (Diags.getIgnoreAllWarnings())
      return;
    if (!Diags.getWarningsAsErrors())
      Level = DiagnosticsEngine::Warning;
  }
  DiagnosticIDs &IDs = *Diags.getDiagnosticIDs();
  unsigned ID = IDs.getCustomDiagID(static_cast<DiagnosticIDs::Level>(Level),
                                    "%0");
  {
    DiagnosticBuilder B = Diags.Report(F.Loc, ID);
    B << F.Message;
    for (const FixItHint &H : F.FixIts)
      B << H;
  }
  unsigned NoteID = IDs.getCustomDiagID(DiagnosticIDs::Note, "%0");
  for (const FindingNote &N : F.Notes)
    Diags.Report(N.Loc, NoteID) << N.Message;
  if (!SarifPath.empty())
    Shown.emplace_back(std::move(F), Level);
}

void FindingSink::finish(llvm::StringRef NotAnalysedBecause) {
  if (SarifPath.empty())
    return;
  if (!NotAnalysedBecause.empty())
    Shown.clear();
  llvm::json::Array Results;
  for (const auto &[F, Level] : Shown) {
    llvm::json::Array Related;
    for (size_t I = 0; I != F.Notes.size(); ++I) {
      llvm::json::Object Loc{{"id", int64_t(I)},
                             {"physicalLocation",
                              physicalLocation(SM, F.Notes[I].Loc)},
                             {"message",
                              llvm::json::Object{{"text", F.Notes[I].Message}}}};
      Related.push_back(std::move(Loc));
    }
    llvm::json::Array Replacements;
    for (const FixItHint &H : F.FixIts) {
      CharSourceRange R = H.RemoveRange;
      SourceLocation End = R.getEnd();
      if (R.isTokenRange())
        End = Lexer::getLocForEndOfToken(End, 0, SM, LangOpts);
      llvm::json::Object Change{
          {"artifactLocation", artifact(SM, R.getBegin())},
          {"replacements",
           llvm::json::Array{llvm::json::Object{
               {"deletedRegion", region(SM, R.getBegin(), End)},
               {"insertedContent",
                llvm::json::Object{{"text", H.CodeToInsert}}}}}}};
      Replacements.push_back(std::move(Change));
    }
    llvm::json::Object Result{
        {"ruleId", checkName(F.Which)},
        {"ruleIndex", int64_t(F.Which)},
        {"level", sarifLevel(Level)},
        {"message", llvm::json::Object{{"text", F.Message}}},
        {"locations", llvm::json::Array{llvm::json::Object{
                          {"physicalLocation", physicalLocation(SM, F.Loc)}}}}};
    if (!Related.empty())
      Result["relatedLocations"] = std::move(Related);
    if (!Replacements.empty())
      Result["fixes"] = llvm::json::Array{llvm::json::Object{
          {"description",
           llvm::json::Object{{"text", "Use the Raw domain, which does not "
                                       "need the GIL"}}},
          {"artifactChanges", std::move(Replacements)}}};
    Results.push_back(std::move(Result));
  }

  llvm::json::Array RuleList;
  for (unsigned I = 0; I != NumChecks; ++I)
    RuleList.push_back(llvm::json::Object{
        {"id", checkName(static_cast<Check>(I))},
        {"name", Rules[I].Name},
        {"shortDescription", llvm::json::Object{{"text", Rules[I].Short}}},
        {"help", llvm::json::Object{{"text", Rules[I].Help}}},
        {"defaultConfiguration",
         llvm::json::Object{
             {"level", Levels[I] == CheckLevel::Error ? "error" : "warning"},
             {"enabled", Levels[I] != CheckLevel::Off}}}});

  llvm::json::Object Driver{{"name", "pymemcheck"},
                            {"informationUri",
                             "https://peps.python.org/pep-0445/"},
                            {"rules", std::move(RuleList)}};
  llvm::json::Object Run{
      {"tool", llvm::json::Object{{"driver", std::move(Driver)}}},
      {"columnKind", "utf16CodeUnits"},
      {"results", std::move(Results)}};
  if (!NotAnalysedBecause.empty())
    Run["invocations"] = llvm::json::Array{llvm::json::Object{
        {"executionSuccessful", false},
        {"toolExecutionNotifications",
         llvm::json::Array{llvm::json::Object{
             {"level", "error"},
             {"message",
              llvm::json::Object{{"text", NotAnalysedBecause.str()}}}}}}}};
  llvm::json::Object Log{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", llvm::json::Array{std::move(Run)}}};

  std::error_code EC;
  llvm::raw_fd_ostream OS(SarifPath, EC, llvm::sys::fs::OF_Text);
  if (!EC) {
    OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Log))) << "\n";
    OS.close();
    EC = OS.error();
  }
  if (EC)
    Diags.Report(Diags.getCustomDiagID(
        DiagnosticsEngine::Error,
        "pymemcheck: cannot write the SARIF file '%0': %1; check "
        "-fplugin-arg-pymemcheck-sarif="))
        << SarifPath << EC.message();
}

} // namespace pymemcheck
