//===- GilSummaries.cpp - GIL summaries shared across translation units --===//

#include "GilSummaries.h"

#include "Compat.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MD5.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>

namespace pymemcheck {

namespace {

constexpr int64_t FormatVersion = 1;
constexpr llvm::StringLiteral Suffix = ".gil.json";

llvm::json::Object location(const TextLocation &L) {
  return llvm::json::Object{{"file", L.File}, {"line", int64_t(L.Line)}};
}

// (json::Object's getters return llvm::Optional in LLVM 14 and
// std::optional from 16: only `auto`, `if` and `*` are common to both.)
std::string stringIn(const llvm::json::Object *O, llvm::StringRef Key) {
  if (O)
    if (auto S = O->getString(Key))
      return S->str();
  return "";
}

bool boolIn(const llvm::json::Object &O, llvm::StringRef Key) {
  auto B = O.getBoolean(Key);
  return B && *B;
}

TextLocation location(const llvm::json::Object *O) {
  TextLocation L;
  L.File = stringIn(O, "file");
  if (O)
    if (auto N = O->getInteger("line"))
      L.Line = unsigned(*N);
  return L;
}

std::string where(const TextLocation &L) {
  return llvm::formatv("{0}:{1}", L.File, L.Line).str();
}

std::string quoted(llvm::StringRef S) { return ("'" + S + "'").str(); }

bool fail(std::string &Error, const llvm::Twine &Why) {
  Error = Why.str();
  return false;
}

} // namespace

std::string SummaryStore::fileFor(llvm::StringRef Dir,
                                  llvm::StringRef MainFile) {
  llvm::MD5 Hash;
  Hash.update(MainFile);
  llvm::MD5::MD5Result Result;
  Hash.final(Result);
  llvm::SmallString<256> Path(Dir);
  llvm::sys::path::append(Path, Result.digest().str() + Suffix);
  return std::string(Path);
}

bool SummaryStore::write(llvm::StringRef Path,
                         llvm::ArrayRef<LocalSummary> Summaries,
                         std::string &Error) {
  std::vector<const LocalSummary *> Sorted;
  for (const LocalSummary &S : Summaries)
    Sorted.push_back(&S);
  std::sort(Sorted.begin(), Sorted.end(),
            [](const LocalSummary *A, const LocalSummary *B) {
              return A->Name < B->Name;
            });
  llvm::json::Array Functions;
  for (const LocalSummary *S : Sorted) {
    llvm::json::Array Calls;
    for (const LocalSummary::Call &C : S->UnknownStateCalls)
      Calls.push_back(llvm::json::Object{{"callee", C.Callee},
                                         {"at", location(C.At)}});
    llvm::json::Object F{{"name", S->Name},
                         {"releases", S->Releases},
                         {"acquires", S->Acquires},
                         {"calls", std::move(Calls)}};
    if (S->NeedsGil) {
      llvm::json::Array Chain;
      for (const std::string &Step : S->NeedsChain)
        Chain.push_back(Step);
      F["needs"] = std::move(Chain);
    }
    Functions.push_back(std::move(F));
  }
  llvm::json::Object Root{{"pymemcheck-gil-summaries", FormatVersion},
                          {"functions", std::move(Functions)}};

  llvm::StringRef Dir = llvm::sys::path::parent_path(Path);
  if (std::error_code EC = llvm::sys::fs::create_directories(Dir))
    return fail(Error, "cannot create '" + Dir + "': " + EC.message());
  llvm::SmallString<256> Temp;
  int FD;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(
          Path + ".%%%%%%%%.tmp", FD, Temp))
    return fail(Error, "cannot write in '" + Dir + "': " + EC.message());
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Root))) << "\n";
    OS.close();
    if (OS.has_error()) {
      llvm::sys::fs::remove(Temp);
      return fail(Error, "cannot write '" + Temp + "': " + OS.error().message());
    }
  }
  // A rename replaces the file at once: a compile reading the directory
  // at the same time sees the old summaries or the new, never half.
  if (std::error_code EC = llvm::sys::fs::rename(Temp, Path)) {
    llvm::sys::fs::remove(Temp);
    return fail(Error, "cannot write '" + Path + "': " + EC.message());
  }
  return true;
}

bool SummaryStore::read(llvm::StringRef Dir, llvm::StringRef Skip,
                        std::string &Error) {
  // The files, in name order, so that a name defined twice resolves the
  // same way whatever order the directory lists them in.
  std::vector<std::string> Files;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(Dir, EC), End; !EC && It != End;
       It.increment(EC)) {
    llvm::StringRef P = It->path();
    if (P.size() > Suffix.size() && compat::endsWith(P, Suffix) && P != Skip)
      Files.push_back(P.str());
  }
  if (EC && EC != std::errc::no_such_file_or_directory)
    return fail(Error, "cannot list '" + Dir + "': " + EC.message());
  std::sort(Files.begin(), Files.end());

  std::map<std::string, LocalSummary> Locals;
  for (const std::string &File : Files) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buffer =
        llvm::MemoryBuffer::getFile(File);
    if (!Buffer)
      return fail(Error,
                  "cannot read '" + File + "': " + Buffer.getError().message());
    llvm::Expected<llvm::json::Value> Parsed =
        llvm::json::parse((*Buffer)->getBuffer());
    if (!Parsed)
      return fail(Error, "'" + File + "' is not a summary file: " +
                             llvm::toString(Parsed.takeError()));
    const llvm::json::Object *Root = Parsed->getAsObject();
    const llvm::json::Array *Functions =
        Root ? Root->getArray("functions") : nullptr;
    bool Ours = false;
    if (Root)
      if (auto Version = Root->getInteger("pymemcheck-gil-summaries"))
        Ours = *Version == FormatVersion;
    if (!Ours || !Functions)
      return fail(Error, "'" + File +
                             "' is not a summary file of this pymemcheck; "
                             "remove it and compile again");
    for (const llvm::json::Value &V : *Functions) {
      const llvm::json::Object *F = V.getAsObject();
      std::string Name = stringIn(F, "name");
      if (Name.empty() || Locals.count(Name))
        continue;
      LocalSummary S;
      S.Name = Name;
      S.Releases = boolIn(*F, "releases");
      S.Acquires = boolIn(*F, "acquires");
      if (const llvm::json::Array *Chain = F->getArray("needs")) {
        S.NeedsGil = true;
        for (const llvm::json::Value &Step : *Chain)
          if (auto Text = Step.getAsString())
            S.NeedsChain.push_back(Text->str());
      }
      if (const llvm::json::Array *Calls = F->getArray("calls"))
        for (const llvm::json::Value &CV : *Calls)
          if (const llvm::json::Object *C = CV.getAsObject())
            S.UnknownStateCalls.push_back(
                {stringIn(C, "callee"), location(C->getObject("at"))});
      Locals.emplace(S.Name, std::move(S));
    }
  }

  // Close "needs the GIL" over the calls between the files.
  for (const auto &[Name, S] : Locals) {
    ExternalSummary &E = Summaries[Name];
    E.Releases = S.Releases;
    E.Acquires = S.Acquires;
    if (S.NeedsGil) {
      E.NeedsGil = true;
      E.Chain = S.NeedsChain;
    }
  }
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (const auto &[Name, S] : Locals) {
      ExternalSummary &E = Summaries[Name];
      if (E.NeedsGil)
        continue;
      for (const LocalSummary::Call &C : S.UnknownStateCalls) {
        auto It = Summaries.find(C.Callee);
        if (It == Summaries.end() || !It->second.NeedsGil)
          continue;
        E.NeedsGil = true;
        E.Chain.push_back(quoted(Name) + " needs the GIL: it calls " +
                          quoted(C.Callee) + " at " + where(C.At));
        E.Chain.insert(E.Chain.end(), It->second.Chain.begin(),
                       It->second.Chain.end());
        Changed = true;
        break;
      }
    }
  }
  return true;
}

const ExternalSummary *SummaryStore::find(llvm::StringRef Name) const {
  auto It = Summaries.find(Name);
  return It == Summaries.end() ? nullptr : &It->second;
}

} // namespace pymemcheck
