//===- GilModel.cpp - What the C API does to the GIL, and needs of it ----===//

#include "GilModel.h"

#include "CallCatalog.h"
#include "Compat.h"

#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/StringSwitch.h"

using namespace clang;

namespace pymemcheck {

namespace {

/// The real, external function: a user's own `static void *PyMem_Malloc`
/// or a C++ namespace member of that name is somebody else's.
bool isExternalCFunction(const FunctionDecl &FD) {
  return FD.isExternC() && FD.getIdentifier();
}

/// Calls of the C API that any thread may make, attached or not.  The
/// calls that change the state (PyEval_SaveThread, ...) are modelled
/// apart and are not listed.  Field-access helpers only read an object the
/// caller owns, which CPython documents as safe without the GIL (the
/// buffer of a bytes object in a Py_BEGIN_ALLOW_THREADS block is the
/// textbook case); type checks read the type the same way.
bool callableWithoutGil(llvm::StringRef Name) {
  static const char *const Prefixes[] = {
      "PyMem_Raw", "PyGILState_", "PyThread_", "PyConfig_", "PyPreConfig_",
      "PyStatus_", "PyWideStringList_",
  };
  for (const char *P : Prefixes)
    if (compat::startsWith(Name, P))
      return true;
  if (compat::endsWith(Name, "_Check") ||
      compat::endsWith(Name, "_CheckExact"))
    return true;
  return llvm::StringSwitch<bool>(Name)
      // Before Py_Initialize, or documented as callable from any thread.
      .Cases("Py_ExitStatusException", "Py_RunMain", "Py_BytesMain", "Py_Main",
             true)
      .Cases("Py_DecodeLocale", "Py_EncodeLocale", "Py_IsInitialized",
             "Py_AtExit", "Py_FatalError", "Py_SetProgramName", true)
      .Cases("Py_SetPythonHome", "Py_SetPath", "PyImport_AppendInittab",
             "PyImport_ExtendInittab", "PyMem_SetAllocator", true)
      .Cases("PyMem_GetAllocator", "PyMem_SetupDebugHooks",
             "PyObject_SetArenaAllocator", "PyObject_GetArenaAllocator", true)
      .Cases("PyTraceMalloc_Track", "PyTraceMalloc_Untrack", "PyOS_snprintf",
             "PyOS_vsnprintf", "PyOS_strtoul", "PyOS_strtol", true)
      // Documented as needing no thread state: scheduling a call for the
      // main thread, simulating a signal (also from a signal handler),
      // creating and deleting a thread state.
      .Cases("Py_AddPendingCall", "PyErr_SetInterrupt", "PyErr_SetInterruptEx",
             "PyThreadState_New", "PyThreadState_Delete", true)
      // Safe before Py_Initialize, so with no thread state at all.
      .Cases("Py_GetVersion", "Py_GetBuildInfo", "Py_GetCompiler",
             "Py_GetCopyright", "Py_GetPlatform", "PyInitFrozenExtensions",
             true)
      .Cases("PySys_ResetWarnOptions", "PyMutex_Lock", "PyMutex_Unlock", true)
      // Field access.
      .Cases("Py_TYPE", "Py_SIZE", "Py_REFCNT", "Py_IS_TYPE", "Py_Is", true)
      .Cases("Py_IsNone", "Py_IsTrue", "Py_IsFalse", "PyType_HasFeature",
             "_PyType_HasFeature", "PyType_FastSubclass", true)
      .Cases("PyTuple_GET_SIZE", "PyTuple_GET_ITEM", "PyTuple_SET_ITEM",
             "PyList_GET_SIZE", "PyList_GET_ITEM", "PyList_SET_ITEM", true)
      .Cases("PyBytes_AS_STRING", "PyBytes_GET_SIZE", "PyByteArray_AS_STRING",
             "PyByteArray_GET_SIZE", "PyFloat_AS_DOUBLE", "PyCell_GET", true)
      .Cases("PyUnicode_GET_LENGTH", "PyUnicode_DATA", "PyUnicode_KIND",
             "PyUnicode_READ", "PyUnicode_READ_CHAR", "PyUnicode_WRITE", true)
      .Cases("PyUnicode_IS_ASCII", "PyUnicode_IS_COMPACT",
             "PyUnicode_IS_COMPACT_ASCII", "PyUnicode_IS_READY",
             "PyUnicode_MAX_CHAR_VALUE", "_PyUnicode_COMPACT_DATA", true)
      .Cases("_PyUnicode_NONCOMPACT_DATA", "PyMemoryView_GET_BUFFER",
             "PyMemoryView_GET_BASE", "_Py_IsImmortal", "PyCell_SET", true)
      .Default(false);
}

} // namespace

namespace {

/// The effect of a call by the callee's name alone (all but
/// PyThreadState_Swap, whose argument decides).
GilEffect effectOfName(llvm::StringRef Name) {
  return llvm::StringSwitch<GilEffect>(Name)
      .Cases("PyEval_SaveThread", "PyEval_ReleaseThread", "PyEval_ReleaseLock",
             "PyThreadState_DeleteCurrent", GilEffect::Release)
      // These return with the interpreter finalized.
      .Cases("Py_Finalize", "Py_FinalizeEx", "Py_Main", "Py_BytesMain",
             "Py_RunMain", "Py_EndInterpreter", GilEffect::Release)
      .Cases("PyEval_RestoreThread", "PyEval_AcquireThread",
             "PyEval_AcquireLock", GilEffect::Acquire)
      .Cases("Py_Initialize", "Py_InitializeEx", "Py_InitializeFromConfig",
             "Py_NewInterpreter", "Py_NewInterpreterFromConfig",
             GilEffect::Acquire)
      .Case("PyGILState_Ensure", GilEffect::EnsureGil)
      .Case("PyGILState_Release", GilEffect::RestoreToken)
      .Default(GilEffect::None);
}

} // namespace

GilEffect apiEffect(const FunctionDecl &Callee, const CallExpr &Call) {
  if (!isExternalCFunction(Callee))
    return GilEffect::None;
  llvm::StringRef Name = Callee.getName();
  if (Name != "PyThreadState_Swap")
    return effectOfName(Name);
  // Swapping in no thread state detaches the caller.
  if (Call.getNumArgs() == 1 &&
      Call.getArg(0)->IgnoreParenCasts()->isNullPointerConstant(
          Callee.getASTContext(), Expr::NPC_ValueDependentIsNotNull))
    return GilEffect::Release;
  return GilEffect::Acquire;
}

bool isGilAllocationApi(const FunctionDecl &Callee) {
  if (!isExternalCFunction(Callee))
    return false;
  const CatalogEntry *Row = findCall(Callee.getName());
  if (!Row)
    Row = findTraceCall(Callee.getName());
  return Row && Row->NeedsThreadState;
}

bool isPythonApiName(llvm::StringRef Name) {
  return compat::startsWith(Name, "Py") ||
         compat::startsWith(Name, "_Py");
}

bool apiNeedsGil(const FunctionDecl &Callee, ApiScope Scope,
                 bool DeclaredByCPython) {
  if (isGilAllocationApi(Callee))
    return true;
  // The C API's static inline functions (Py_DECREF, ...) count too.
  if (Scope != ApiScope::All || !DeclaredByCPython ||
      !Callee.getIdentifier() ||
      !Callee.getDeclContext()->getRedeclContext()->isTranslationUnit())
    return false;
  llvm::StringRef Name = Callee.getName();
  if (callableWithoutGil(Name))
    return false;
  // The trace entry points of the Raw and libc rows are the project's own.
  const CatalogEntry *Row = findTraceCall(Name);
  if (Row && !Row->NeedsThreadState)
    return false;
  // Changing the state is modelled, not checked.
  return Name != "PyThreadState_Swap" && effectOfName(Name) == GilEffect::None;
}

bool initializesPython(llvm::StringRef Name) {
  return llvm::StringSwitch<bool>(Name)
      .Cases("Py_Initialize", "Py_InitializeEx", "Py_InitializeFromConfig",
             "Py_Main", "Py_BytesMain", true)
      .Default(false);
}

std::optional<Registrar> registrarOf(llvm::StringRef Name) {
  return llvm::StringSwitch<std::optional<Registrar>>(Name)
      .Case("pthread_create", Registrar{Registrar::Thread, 2})
      .Case("thrd_create", Registrar{Registrar::Thread, 1})
      .Case("PyThread_start_new_thread", Registrar{Registrar::Thread, 0})
      .Case("CreateThread", Registrar{Registrar::Thread, 2})
      .Case("_beginthreadex", Registrar{Registrar::Thread, 2})
      .Case("_beginthread", Registrar{Registrar::Thread, 0})
      .Case("Py_AtExit", Registrar{Registrar::AtExit, 0})
      .Default(std::nullopt);
}

GilAnnotations annotationsOf(const FunctionDecl &FD) {
  GilAnnotations A;
  for (const FunctionDecl *R : FD.redecls())
    for (const AnnotateAttr *Attr : R->specific_attrs<AnnotateAttr>()) {
      llvm::StringRef S = Attr->getAnnotation();
      A.NeedsGil |= S == "pymemcheck::needs_gil";
      A.WithoutGil |= S == "pymemcheck::without_gil";
      A.Releases |= S == "pymemcheck::releases_gil";
      A.Acquires |= S == "pymemcheck::acquires_gil";
    }
  return A;
}

llvm::StringRef rawEquivalent(llvm::StringRef Name) {
  return llvm::StringSwitch<llvm::StringRef>(Name)
      .Cases("PyMem_Malloc", "PyObject_Malloc", "PyMem_RawMalloc")
      .Cases("PyMem_Calloc", "PyObject_Calloc", "PyMem_RawCalloc")
      .Cases("PyMem_Realloc", "PyObject_Realloc", "PyMem_RawRealloc")
      .Cases("PyMem_Free", "PyObject_Free", "PyMem_RawFree")
      .Default("");
}

} // namespace pymemcheck
