//===- CallCatalog.cpp - The calls the plugin knows, from calls.def ------===//

#include "CallCatalog.h"

#include "clang/AST/ASTContext.h"

using namespace clang;

namespace pymemcheck {

namespace {

// calls.def spells the columns in capitals, as C macros do.
constexpr Family familyFromDef_LIBC = Family::Libc;
constexpr Family familyFromDef_RAW = Family::Raw;
constexpr Family familyFromDef_MEM = Family::Mem;
constexpr Family familyFromDef_OBJ = Family::Obj;
constexpr Operation operationFromDef_MALLOC = Operation::Malloc;
constexpr Operation operationFromDef_CALLOC = Operation::Calloc;
constexpr Operation operationFromDef_REALLOC = Operation::Realloc;
constexpr Operation operationFromDef_FREE = Operation::Free;
constexpr Operation operationFromDef_STRDUP = Operation::Strdup;
constexpr Operation operationFromDef_STRNDUP = Operation::Strndup;
constexpr Operation operationFromDef_ALIGNED_ALLOC = Operation::AlignedAlloc;
constexpr Operation operationFromDef_POSIX_MEMALIGN = Operation::PosixMemalign;
constexpr Operation operationFromDef_REALLOCARRAY = Operation::Reallocarray;

const CatalogEntry Catalog[] = {
#define PYMEMCHECK_CALL(Name, Fam, Op, NeedsThreadState, TraceName)            \
  {#Name, familyFromDef_##Fam, operationFromDef_##Op, (NeedsThreadState) != 0, \
   #TraceName},
#include "pymemcheck/calls.def"
};

} // namespace

llvm::ArrayRef<CatalogEntry> callCatalog() { return Catalog; }

const CatalogEntry *findCall(llvm::StringRef Name) {
  for (const CatalogEntry &E : Catalog)
    if (E.Name == Name)
      return &E;
  return nullptr;
}

const CatalogEntry *findTraceCall(llvm::StringRef Name) {
  for (const CatalogEntry &E : Catalog)
    if (E.TraceName == Name)
      return &E;
  return nullptr;
}

llvm::StringRef familyName(Family F) {
  switch (F) {
  case Family::Libc:
    return "libc";
  case Family::Raw:
    return "raw";
  case Family::Mem:
    return "mem";
  case Family::Obj:
    return "obj";
  }
  return "";
}

std::optional<Family> parseFamily(llvm::StringRef Name) {
  for (unsigned I = 0; I != NumFamilies; ++I)
    if (familyName(static_cast<Family>(I)) == Name)
      return static_cast<Family>(I);
  return std::nullopt;
}

unsigned operationSignature(Operation Op, const ASTContext &Ctx,
                            QualType &Result, QualType (&Params)[3]) {
  QualType VoidPtr = Ctx.VoidPtrTy;
  QualType Size = Ctx.getSizeType();
  QualType CharPtr = Ctx.getPointerType(Ctx.CharTy);
  QualType ConstCharPtr = Ctx.getPointerType(Ctx.CharTy.withConst());
  switch (Op) {
  case Operation::Malloc:
    Result = VoidPtr;
    Params[0] = Size;
    return 1;
  case Operation::Calloc:
  case Operation::AlignedAlloc:
    Result = VoidPtr;
    Params[0] = Size;
    Params[1] = Size;
    return 2;
  case Operation::Realloc:
    Result = VoidPtr;
    Params[0] = VoidPtr;
    Params[1] = Size;
    return 2;
  case Operation::Free:
    Result = Ctx.VoidTy;
    Params[0] = VoidPtr;
    return 1;
  case Operation::Strdup:
    Result = CharPtr;
    Params[0] = ConstCharPtr;
    return 1;
  case Operation::Strndup:
    Result = CharPtr;
    Params[0] = ConstCharPtr;
    Params[1] = Size;
    return 2;
  case Operation::PosixMemalign:
    Result = Ctx.IntTy;
    Params[0] = Ctx.getPointerType(VoidPtr);
    Params[1] = Size;
    Params[2] = Size;
    return 3;
  case Operation::Reallocarray:
    Result = VoidPtr;
    Params[0] = VoidPtr;
    Params[1] = Size;
    Params[2] = Size;
    return 3;
  }
  return 0;
}

} // namespace pymemcheck
