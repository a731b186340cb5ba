//===- GilModel.h - What the C API does to the GIL, and needs of it ------===//
//
// The facts the GIL analysis starts from (../shared/reference/gil-contexts.md):
// which calls change the state (PyEval_SaveThread releases, ...), which need
// the GIL held (the catalog's rows that need a thread state, or with
// gil-api=all every C API function but a curated list), which hand a function
// to code that will run it without the GIL (pthread_create, Py_AtExit, ...),
// and the annotations of pymemcheck/gil.h.  Everything here is by name: the
// analysis sees the declarations users see, from whichever Python.h.
//
//===----------------------------------------------------------------------===//

#ifndef PYMEMCHECK_GILMODEL_H
#define PYMEMCHECK_GILMODEL_H

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace clang {
class CallExpr;
class FunctionDecl;
} // namespace clang

namespace pymemcheck {

/// How much of the C API the analysis checks (-fplugin-arg-pymemcheck-gil-api).
enum class ApiScope { Memory, All };

/// What a call does to the GIL state of the thread that makes it.
enum class GilEffect {
  None,
  Release,      ///< PyEval_SaveThread, Py_FinalizeEx, PyThreadState_Swap(NULL)
  Acquire,      ///< PyEval_RestoreThread, Py_Initialize, ...
  EnsureGil,    ///< PyGILState_Ensure: held; its token remembers the state
  RestoreToken, ///< PyGILState_Release(token): the state before the Ensure
};

/// The effect of Call, a call to Callee, on the GIL.
GilEffect apiEffect(const clang::FunctionDecl &Callee,
                    const clang::CallExpr &Call);

/// True when a call to Callee, a function the analysis does not see the body
/// of (or a C API function), needs the GIL under Scope.  DeclaredByCPython
/// says whether Callee is CPython's (the checker tells by its headers):
/// under ApiScope::All only CPython's functions are checked, whatever their
/// names, and a project's own PyFoo_helper is not.
bool apiNeedsGil(const clang::FunctionDecl &Callee, ApiScope Scope,
                 bool DeclaredByCPython);

/// True when Callee is one of the C API's allocation functions that need the
/// GIL (catalog rows with NeedsThreadState, and their trace entry points).
bool isGilAllocationApi(const clang::FunctionDecl &Callee);

/// True for names the C API owns (Py*, _Py*): how CPython's functions are
/// told apart where no CPython header is included.
bool isPythonApiName(llvm::StringRef Name);

/// True when a call to Name starts or initializes an interpreter, which makes
/// `main` an embedder's main, run without the GIL until then.
bool initializesPython(llvm::StringRef Name);

/// A function that runs a function pointer argument without the GIL.
struct Registrar {
  enum Kind { Thread, AtExit } What;
  unsigned Arg; ///< which argument is the function
};

/// Name as a thread start or at-exit registration, if it is one.
std::optional<Registrar> registrarOf(llvm::StringRef Name);

/// The annotations of pymemcheck/gil.h on any declaration of FD.
struct GilAnnotations {
  bool NeedsGil = false;
  bool WithoutGil = false;
  bool Releases = false;
  bool Acquires = false;
};
GilAnnotations annotationsOf(const clang::FunctionDecl &FD);

/// The Raw-domain function doing what Name (PyMem_Malloc, PyObject_Free, ...)
/// does, for the fix-it; empty when there is none.
llvm::StringRef rawEquivalent(llvm::StringRef Name);

} // namespace pymemcheck

#endif // PYMEMCHECK_GILMODEL_H
