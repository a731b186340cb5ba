//===- CPythonHeaders.cpp - Which files are CPython's own headers --------===//

#include "CPythonHeaders.h"

#include "Compat.h"
#include "GilModel.h"

#include "clang/AST/Decl.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Path.h"

using namespace clang;

namespace pymemcheck {

namespace {

/// Name is in Dir, Python.h's directory, or in its cpython/ or internal/
/// subtree.
bool isInstalledByCPython(llvm::StringRef Name, llvm::StringRef Dir) {
  if (Name.size() <= Dir.size() || !compat::startsWith(Name, Dir) ||
      !llvm::sys::path::is_separator(Name[Dir.size()]))
    return false;
  llvm::StringRef Rest = Name.drop_front(Dir.size() + 1);
  llvm::StringRef Top = *llvm::sys::path::begin(Rest);
  return Top == Rest || Top == "cpython" || Top == "internal";
}

} // namespace

bool CPythonHeaders::contains(SourceLocation Loc) const {
  FileID F = fileOf(Loc);
  if (F.isInvalid())
    return false;
  llvm::StringRef Name = nameOf(F);
  return llvm::any_of(Dirs, [Name](const std::string &Dir) {
    return isInstalledByCPython(Name, Dir);
  });
}

bool CPythonHeaders::declares(const FunctionDecl &FD) const {
  if (Dirs.empty())
    return FD.getIdentifier() && isPythonApiName(FD.getName()) &&
           !FD.isDefined();
  for (const FunctionDecl *R : FD.redecls())
    if (contains(R->getLocation()))
      return true;
  return false;
}

FileID CPythonHeaders::fileOf(SourceLocation Loc) const {
  return Loc.isValid() ? SM.getFileID(SM.getExpansionLoc(Loc)) : FileID();
}

llvm::StringRef CPythonHeaders::nameOf(FileID F) const {
  return SM.getFilename(SM.getLocForStartOfFile(F));
}

bool CPythonHeaders::reachedThroughPythonH(FileID F) {
  if (F.isInvalid())
    return false;
  auto Found = Reached.find(F);
  if (Found != Reached.end())
    return Found->second;
  bool Result;
  llvm::StringRef Name = nameOf(F);
  if (llvm::sys::path::filename(Name) == "Python.h") {
    std::string Dir = llvm::sys::path::parent_path(Name).str();
    if (llvm::find(Dirs, Dir) == Dirs.end())
      Dirs.push_back(Dir);
    Result = true;
  } else {
    SourceLocation Includer = SM.getIncludeLoc(F);
    Result = Includer.isValid() &&
             reachedThroughPythonH(SM.getFileID(Includer));
  }
  Reached[F] = Result;
  return Result;
}

} // namespace pymemcheck
