//===- CallCatalog.h - The calls the plugin knows, from calls.def --------===//
//
// The call catalog (runtime/include/pymemcheck/calls.def) lists every
// allocation function the rewrite replaces and the trace entry point that
// replaces it.  This is its C++ view: one CatalogEntry per row, in the
// order of the file, and lookups by name.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_CALLCATALOG_H
#define PYMEMCHECK_CALLCATALOG_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace clang {
class ASTContext;
class QualType;
} // namespace clang

namespace pymemcheck {

/// The column Family of calls.def.
enum class Family : unsigned { Libc, Raw, Mem, Obj };
constexpr unsigned NumFamilies = 4;

/// The bit of Family F in a set of families.
constexpr unsigned familyBit(Family F) { return 1u << static_cast<unsigned>(F); }
constexpr unsigned AllFamilies = (1u << NumFamilies) - 1;

/// The column Operation of calls.def; it fixes the signature.
enum class Operation {
  Malloc,
  Calloc,
  Realloc,
  Free,
  Strdup,
  Strndup,
  AlignedAlloc,
  PosixMemalign,
  Reallocarray,
};

struct CatalogEntry {
  llvm::StringRef Name;      ///< the function user code calls
  Family Fam;
  Operation Op;
  bool NeedsThreadState;
  llvm::StringRef TraceName; ///< its trace entry point
};

/// Every row of calls.def, in order.
llvm::ArrayRef<CatalogEntry> callCatalog();

/// The row whose Name is Name, or null.
const CatalogEntry *findCall(llvm::StringRef Name);

/// The row whose TraceName is Name, or null.
const CatalogEntry *findTraceCall(llvm::StringRef Name);

/// True when Name is the TraceName of some row.
inline bool isTraceEntryPoint(llvm::StringRef Name) {
  return findTraceCall(Name) != nullptr;
}

/// The spelling of F in plugin arguments: libc, raw, mem, obj.
llvm::StringRef familyName(Family F);
std::optional<Family> parseFamily(llvm::StringRef Name);

/// The signature Op fixes (see calls.def), in Ctx's types: fills Result
/// and Params (at most 3) and returns the number of parameters.
unsigned operationSignature(Operation Op, const clang::ASTContext &Ctx,
                            clang::QualType &Result,
                            clang::QualType (&Params)[3]);

} // namespace pymemcheck

#endif // PYMEMCHECK_CALLCATALOG_H
