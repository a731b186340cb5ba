//===- GilChecker.cpp - Find calls made without the GIL ------------------===//
//
// Three passes at the end of the translation unit:
//
// 1. Usage: one walk of the AST finds the functions to analyse, which of
//    them start without the GIL (started as threads, registered with
//    Py_AtExit, installed as RAW allocators, an embedder's main, annotated),
//    and GIL-requiring API functions handed to foreign code (gil-escape).
// 2. Summaries: each function's CFG is solved forward with a GilState per
//    block; a function whose GIL-requiring call is reached with the state
//    its caller had "needs the GIL at entry", and one that returns with the
//    GIL released (acquired) "releases (acquires)".  When a summary changes,
//    the function's callers are solved again, to a fixpoint; summaries only
//    grow, so recursion terminates.
// 3. Reports: the calls each function's last solution found made without
//    the GIL, in translation-unit order, each with where the GIL went and,
//    for a helper, the chain of calls down to the call that needs it; and
//    the returns it found to leave the GIL released with the thread state
//    saved in a variable that dies there (gil-return), whoever the callers.
//
//===----------------------------------------------------------------------===//

#include "GilChecker.h"

#include "AstFile.h"
#include "CPythonHeaders.h"
#include "CallCatalog.h"
#include "Compat.h"
#include "Findings.h"
#include "GilModel.h"
#include "GilSummaries.h"
#include "RawFixIt.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Analysis/AnalysisDeclContext.h"
#include "clang/Analysis/CFG.h"
#include "clang/Analysis/FlowSensitive/DataflowWorklist.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/PointerUnion.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <deque>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace clang;

namespace pymemcheck {

namespace {

std::string quoted(llvm::StringRef S) { return ("'" + S + "'").str(); }

/// The function as the user named it: a call the rewrite made goes by the
/// name of the call it replaced.
std::string nameOf(const FunctionDecl *FD) {
  if (auto *MD = dyn_cast<CXXMethodDecl>(FD))
    if (MD->getParent()->isLambda())
      return "lambda";
  if (!FD->getDeclName())
    return "(lambda)";
  if (FD->getIdentifier())
    if (const CatalogEntry *Row = findTraceCall(FD->getName()))
      return Row->Name.str();
  // C++: as clang names it, scope and template arguments included.
  std::string Name;
  llvm::raw_string_ostream OS(Name);
  FD->getNameForDiagnostic(OS, FD->getASTContext().getPrintingPolicy(),
                           /*Qualified=*/true);
  return OS.str();
}

// ---- The dataflow value ----

enum class Gil : unsigned char { Unknown, Held, Released, SomePathsReleased };

bool notHeld(Gil G) {
  return G == Gil::Released || G == Gil::SomePathsReleased;
}

Gil join(Gil A, Gil B) {
  if (A == B)
    return A;
  if (notHeld(A) || notHeld(B))
    return Gil::SomePathsReleased;
  return Gil::Unknown; // held on one path, the caller's state on the other
}

/// Why the GIL is not held: where it was released, or why a function starts
/// without it.  Owned by the checker; states point at them.
struct Origin {
  SourceLocation Loc;
  std::string Message;
  /// The release whose state a temporary guard put back here.
  const Origin *Earlier = nullptr;
};

/// What holds a PyGILState_Ensure token: a variable, a member of the object
/// a constructor builds, or a guard temporary, which has no declaration and
/// is known by its CXXBindTemporaryExpr.
using TokenHolder =
    llvm::PointerUnion<const ValueDecl *, const CXXBindTemporaryExpr *>;

bool isObjectMember(TokenHolder H) {
  return isa_and_nonnull<FieldDecl>(H.dyn_cast<const ValueDecl *>());
}

/// A PyGILState_Ensure token and the state the Ensure found.  It is held
/// by a variable, by a member of the object a constructor builds, or by a
/// guard object (local or temporary) whose constructor ensured into one of
/// its members.
struct Token {
  TokenHolder Holder;
  Gil Before;
  const Origin *Why;
};

/// A condition the analysis can follow from one branch to the next: a
/// variable, or a member of one (`if (!needs_api)`, `if (self->nogil)`).
struct CondKey {
  const Decl *Base = nullptr;
  const Decl *Member = nullptr;
  bool operator==(const CondKey &O) const {
    return Base == O.Base && Member == O.Member;
  }
  explicit operator bool() const { return Base != nullptr; }
};

/// What a path assumed of a condition, from the branch it took.
struct Assumption {
  CondKey Key;
  bool Value;
};

bool sameAssumptions(llvm::ArrayRef<Assumption> A,
                     llvm::ArrayRef<Assumption> B) {
  if (A.size() != B.size())
    return false;
  for (size_t I = 0; I != A.size(); ++I)
    if (!(A[I].Key == B[I].Key) || A[I].Value != B[I].Value)
      return false;
  return true;
}

const Assumption *findAssumption(llvm::ArrayRef<Assumption> List, const CondKey &K) {
  for (const Assumption &A : List)
    if (A.Key == K)
      return &A;
  return nullptr;
}

struct GilState {
  bool Reached = false;
  Gil Value = Gil::Unknown;
  const Origin *Why = nullptr; ///< set when Value is not held
  /// When Value is not held: the variable of this function that alone
  /// holds the thread state the release saved (Py_BEGIN_ALLOW_THREADS's
  /// `_save`), so that returning loses it.  Null when the state may be
  /// elsewhere, or comes from releases that saved it in different places.
  const VarDecl *SavedIn = nullptr;
  bool SawRelease = false; ///< the function released the GIL itself
  llvm::SmallVector<Token, 2> Tokens;
  /// Every path here released a token held by a member of `this` that it
  /// did not take itself: a guard's destructor, which puts back what its
  /// constructor's Ensure found.
  bool RestoredObjectToken = false;
  /// What this path knows of conditions: the branches it took, and the
  /// variables it set to zero or to a released thread state.
  llvm::SmallVector<Assumption, 2> Assumed;
  /// For "released on some paths": the paths that released are exactly
  /// those where each guard has its Value, and the others are in state
  /// Otherwise.  Projects release conditionally (`if (!needs_api)
  /// NPY_BEGIN_THREADS;`) and reacquire under the same condition, or test
  /// the saved thread state (`if (_save) PyEval_RestoreThread(_save)`); a
  /// later branch on a guard tells the paths apart again.
  llvm::SmallVector<Assumption, 2> Guards;
  Gil Otherwise = Gil::Unknown;

  bool operator==(const GilState &O) const {
    if (Reached != O.Reached || Value != O.Value || Why != O.Why ||
        SavedIn != O.SavedIn || SawRelease != O.SawRelease ||
        RestoredObjectToken != O.RestoredObjectToken ||
        Tokens.size() != O.Tokens.size() ||
        !sameAssumptions(Assumed, O.Assumed) ||
        !sameAssumptions(Guards, O.Guards) || Otherwise != O.Otherwise)
      return false;
    for (size_t I = 0; I != Tokens.size(); ++I)
      if (Tokens[I].Holder != O.Tokens[I].Holder ||
          Tokens[I].Before != O.Tokens[I].Before ||
          Tokens[I].Why != O.Tokens[I].Why)
        return false;
    return true;
  }

  /// A new state, by a change whose saved thread state, if any, the
  /// caller records in SavedIn.
  void set(Gil G, const Origin *O) {
    Value = G;
    Why = notHeld(G) ? O : nullptr;
    SavedIn = nullptr;
    Guards.clear();
  }

  /// This path takes the branch where K is V; false when the path already
  /// knows otherwise, and so cannot take it.
  bool assume(const CondKey &K, bool V) {
    if (const Assumption *A = findAssumption(Assumed, K))
      return A->Value == V;
    if (const Assumption *G = findAssumption(Guards, K)) {
      bool Released = G->Value == V;
      llvm::SmallVector<Assumption, 2> Known = Guards;
      if (Released) {
        const VarDecl *Holder = SavedIn;
        set(Gil::Released, Why);
        SavedIn = Holder;
      } else {
        set(Otherwise, nullptr);
        for (Assumption &A : Known)
          A.Value = !A.Value;
      }
      for (const Assumption &A : Known)
        learn(A.Key, A.Value);
      return true;
    }
    learn(K, V);
    return true;
  }

  /// K now holds V, whatever was known of it.
  void learn(const CondKey &K, bool V) {
    forget(K);
    Assumed.push_back({K, V});
  }

  /// K was written: nothing known of it holds any more.
  void forget(const CondKey &K) {
    auto Covers = [&](const Assumption &A) {
      return A.Key.Base == K.Base && (!K.Member || A.Key.Member == K.Member);
    };
    llvm::erase_if(Assumed, Covers);
    llvm::erase_if(Guards, Covers);
  }

  void joinWith(const GilState &O) {
    if (!O.Reached)
      return;
    if (!Reached) {
      *this = O;
      return;
    }
    llvm::SmallVector<Assumption, 2> NewGuards;
    Gil NewOtherwise = Gil::Unknown;
    if (!Guards.empty() && !O.Guards.empty()) {
      for (const Assumption &G : Guards)
        if (const Assumption *OG = findAssumption(O.Guards, G.Key))
          if (OG->Value == G.Value)
            NewGuards.push_back(G);
      NewOtherwise = join(Otherwise, O.Otherwise);
    } else if (Guards.empty() && O.Guards.empty() &&
               (Value == Gil::Released) != (O.Value == Gil::Released) &&
               !notHeld(Value == Gil::Released ? O.Value : Value)) {
      // One side released, the other not: the conditions they differ on.
      const GilState &R = Value == Gil::Released ? *this : O;
      const GilState &H = Value == Gil::Released ? O : *this;
      for (const Assumption &A : R.Assumed)
        if (const Assumption *B = findAssumption(H.Assumed, A.Key))
          if (B->Value != A.Value)
            NewGuards.push_back(A);
      NewOtherwise = H.Value;
    } else if (Guards.empty() != O.Guards.empty()) {
      // Paths told apart, and paths that all released or none did (in a
      // loop, one branch on a guard reaches the head before the other):
      // the guards those paths confirm.
      const GilState &Told = Guards.empty() ? O : *this;
      const GilState &Plain = Guards.empty() ? *this : O;
      bool PlainReleased = Plain.Value == Gil::Released;
      if (PlainReleased || !notHeld(Plain.Value)) {
        for (const Assumption &G : Told.Guards)
          if (const Assumption *A = findAssumption(Plain.Assumed, G.Key))
            if ((A->Value == G.Value) == PlainReleased)
              NewGuards.push_back(G);
        NewOtherwise = PlainReleased ? Told.Otherwise
                                     : join(Told.Otherwise, Plain.Value);
      }
    }
    const Origin *W = notHeld(Value) ? Why : O.Why;
    // Only a released side has a holder.
    const VarDecl *Holder =
        notHeld(Value) && notHeld(O.Value) && SavedIn != O.SavedIn
            ? nullptr
            : SavedIn ? SavedIn : O.SavedIn;
    set(join(Value, O.Value), W);
    SavedIn = Holder;
    if (Value == Gil::SomePathsReleased) {
      Guards = std::move(NewGuards);
      Otherwise = NewOtherwise;
    }
    SawRelease |= O.SawRelease;
    RestoredObjectToken &= O.RestoredObjectToken;
    llvm::erase_if(Assumed, [&](const Assumption &A) {
      const Assumption *B = findAssumption(O.Assumed, A.Key);
      return !B || B->Value != A.Value;
    });
    for (const Token &T : O.Tokens) {
      Token *Mine = nullptr;
      for (Token &M : Tokens)
        if (M.Holder == T.Holder)
          Mine = &M;
      if (!Mine) {
        Tokens.push_back(T);
        continue;
      }
      if (!notHeld(Mine->Before))
        Mine->Why = T.Why;
      Mine->Before = join(Mine->Before, T.Before);
    }
  }
};

/// The condition E tests, and whether it is negated, when the analysis
/// can follow it.
std::optional<std::pair<CondKey, bool>>
followableCondition(const Expr *E, ASTContext &Ctx) {
  if (!E)
    return std::nullopt;
  bool Negated = false;
  E = E->IgnoreParenImpCasts();
  for (;;) {
    if (auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_LNot)
        return std::nullopt;
      Negated = !Negated;
      E = UO->getSubExpr()->IgnoreParenImpCasts();
      continue;
    }
    // x != NULL, x == 0, NULL != x: the truth of x itself.
    auto *BO = dyn_cast<BinaryOperator>(E);
    if (!BO || !BO->isEqualityOp())
      break;
    auto IsZero = [&](const Expr *Side) {
      return Side->IgnoreParenCasts()->isNullPointerConstant(
          Ctx, Expr::NPC_ValueDependentIsNotNull);
    };
    const Expr *Other = IsZero(BO->getRHS())   ? BO->getLHS()
                        : IsZero(BO->getLHS()) ? BO->getRHS()
                                               : nullptr;
    if (!Other)
      return std::nullopt;
    if (BO->getOpcode() == BO_EQ)
      Negated = !Negated;
    E = Other->IgnoreParenImpCasts();
  }
  CondKey K;
  if (auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    K.Base = DRE->getDecl();
  } else if (auto *ME = dyn_cast<MemberExpr>(E)) {
    auto *Base = dyn_cast<DeclRefExpr>(ME->getBase()->IgnoreParenImpCasts());
    if (!Base)
      return std::nullopt;
    K.Base = Base->getDecl();
    K.Member = ME->getMemberDecl();
  } else {
    return std::nullopt;
  }
  if (!isa<VarDecl>(K.Base))
    return std::nullopt;
  return std::make_pair(K, Negated);
}

/// What storing E in a condition's variable makes it: false for zero or
/// null, true for another constant or the thread state a release returns
/// (PyEval_SaveThread never returns NULL), unknown otherwise.
std::optional<bool> storedTruth(const Expr *E, ASTContext &Ctx) {
  if (!E)
    return std::nullopt;
  E = E->IgnoreParenCasts();
  if (E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull))
    return false;
  if (auto *IL = dyn_cast<IntegerLiteral>(E))
    return IL->getValue() != 0;
  if (auto *CE = dyn_cast<CallExpr>(E))
    if (const FunctionDecl *Callee = CE->getDirectCallee())
      if (apiEffect(*Callee, *CE) == GilEffect::Release)
        return true;
  return std::nullopt;
}

/// Updates what St knows of conditions after statement S writes one:
/// an assignment, an increment, an initialization, or taking its address
/// (after which anything may write it).
void applyWrite(const Stmt *S, GilState &St, ASTContext &Ctx) {
  const Expr *Target = nullptr;
  const Expr *Stored = nullptr;
  if (auto *BO = dyn_cast<BinaryOperator>(S)) {
    if (!BO->isAssignmentOp())
      return;
    Target = BO->getLHS();
    if (BO->getOpcode() == BO_Assign)
      Stored = BO->getRHS();
  } else if (auto *UO = dyn_cast<UnaryOperator>(S)) {
    if (!UO->isIncrementDecrementOp() && UO->getOpcode() != UO_AddrOf)
      return;
    Target = UO->getSubExpr();
  } else if (auto *DS = dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls())
      if (auto *V = dyn_cast<VarDecl>(D)) {
        CondKey K;
        K.Base = V;
        if (std::optional<bool> T = storedTruth(V->getInit(), Ctx))
          St.learn(K, *T);
      }
    return;
  } else {
    return;
  }
  std::optional<std::pair<CondKey, bool>> C = followableCondition(Target, Ctx);
  if (!C || C->second)
    return;
  if (std::optional<bool> T = storedTruth(Stored, Ctx))
    St.learn(C->first, *T);
  else
    St.forget(C->first);
}

// ---- Summaries ----

/// What callers need to know of a function.
struct Summary {
  /// Some call in it needs the GIL and is reached with the caller's state.
  bool NeedsGil = false;
  /// The first such call, and what it calls (for the chain of notes), or
  /// null when the function is annotated PYMEMCHECK_NEEDS_GIL.
  SourceLocation NeedsAt;
  const FunctionDecl *NeedsCallee = nullptr;
  /// It returns with the GIL released / held whatever the caller had.
  bool Releases = false;
  bool Acquires = false;
  /// A constructor that returns holding the GIL by a PyGILState_Ensure
  /// whose token it keeps in a member, and a destructor that hands such a
  /// token back: a guard object, whose scope puts back the state it found.
  bool EnsuresForObject = false;
  bool RestoresForObject = false;

  bool operator==(const Summary &O) const {
    return NeedsGil == O.NeedsGil && NeedsAt == O.NeedsAt &&
           NeedsCallee == O.NeedsCallee && Releases == O.Releases &&
           Acquires == O.Acquires && EnsuresForObject == O.EnsuresForObject &&
           RestoresForObject == O.RestoresForObject;
  }
  bool operator!=(const Summary &O) const { return !(*this == O); }
};

/// A call that needs the GIL, as the last solution of its function saw it.
struct NeedyCall {
  const FunctionDecl *Function; ///< the function making the call
  SourceLocation Loc;
  const CallExpr *Call; ///< null for constructors and destructors
  const FunctionDecl *Callee;
  Gil At;
  const Origin *Why;
};

/// The releases of one function whose saved thread state only one of its
/// own variables holds, by release call, and where each such variable is
/// first restored.
struct SavedStates {
  llvm::DenseMap<const CallExpr *, const VarDecl *> HolderOf;
  llvm::DenseMap<const VarDecl *, SourceLocation> FirstRestore;
};

/// A way out of a function with the GIL released whose saved thread state
/// is lost with the variable holding it.
struct LostState {
  /// The return, or the body when the function falls off its end.
  const Stmt *WayOut;
  Gil At;
  const VarDecl *Holder;
  const Origin *Why;
};

struct FunctionInfo {
  const FunctionDecl *FD;
  std::unique_ptr<AnalysisDeclContext> ADC;
  CFG *Graph = nullptr;
  const Origin *StartsWithout = nullptr; ///< entry state released, and why
  /// Installed as an allocator: the Raw functions would call it again.
  bool IsAllocator = false;
  GilAnnotations Annotated;
  Summary Sum;
  std::vector<FunctionInfo *> Callers;
  std::vector<NeedyCall> Needy;
  /// Calls, with the caller's state, to functions defined elsewhere.
  std::vector<std::pair<SourceLocation, const FunctionDecl *>> ForeignCalls;
  /// What may hand a PyGILState token to a holder (a PyGILState_Ensure
  /// call, a local or temporary object's construction), and that holder.
  llvm::DenseMap<const Expr *, TokenHolder> TokenHolders;
  SavedStates Saved;
  /// The returns the last solution found to lose a saved thread state.
  std::vector<LostState> Lost;
  bool Queued = false;
};

// ---- Pass 1: usage ----

/// Finds the functions to analyse and how the translation unit uses them.
class UsageFinder : public RecursiveASTVisitor<UsageFinder> {
public:
  UsageFinder(const SourceManager &SM, CPythonHeaders &Headers)
      : SM(SM), Headers(Headers) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

  struct Start {
    const FunctionDecl *FD;
    SourceLocation Loc;
    std::string Message;
    bool IsAllocator = false;
  };
  struct Escape {
    const FunctionDecl *Api;
    const FunctionDecl *To;
    SourceLocation Loc;
  };

  std::vector<const FunctionDecl *> Functions;
  /// Functions defined in system headers, by canonical declaration: the
  /// checker analyses those the user's functions reach.
  llvm::DenseMap<const FunctionDecl *, const FunctionDecl *> SystemFunctions;
  std::vector<Start> Starts;
  std::vector<Escape> Escapes;
  bool InitializesPython = false;

  bool VisitFunctionDecl(FunctionDecl *FD) {
    Headers.see(FD->getLocation());
    if (FD->doesThisDeclarationHaveABody() && !FD->isDependentContext() &&
        !FD->isInvalidDecl())
      Defined.push_back(FD);
    return true;
  }

  /// After the walk, when every CPython header has been seen: the
  /// functions to analyse.  The C API's own inline functions (Py_DECREF,
  /// ...) are taken as they are documented, not analysed: their insides
  /// are not the user's.  A system header's functions (a library's RAII
  /// guards) are analysed for what they do to the GIL, but only when the
  /// user's code reaches them, and nothing is reported in them.
  void classifyFunctions() {
    for (const FunctionDecl *FD : Defined) {
      if (Headers.contains(FD->getLocation()))
        continue;
      if (SM.isInSystemHeader(SM.getExpansionLoc(FD->getLocation())))
        SystemFunctions.try_emplace(FD->getCanonicalDecl(), FD);
      else
        Functions.push_back(FD);
    }
  }

  bool VisitLambdaExpr(LambdaExpr *LE) {
    if (CXXMethodDecl *Op = LE->getCallOperator())
      VisitFunctionDecl(Op);
    return true;
  }

  /// std::thread and std::jthread run their first argument, a function or
  /// a lambda, on the new thread.
  bool VisitCXXConstructExpr(CXXConstructExpr *CE) {
    const CXXRecordDecl *Class = CE->getConstructor()->getParent();
    if (CE->getNumArgs() == 0 || !Class->getIdentifier() ||
        !Class->isInStdNamespace() ||
        (Class->getName() != "thread" && Class->getName() != "jthread"))
      return true;
    const Expr *Arg = CE->getArg(0)->IgnoreImplicit();
    if (auto *MTE = dyn_cast<MaterializeTemporaryExpr>(Arg))
      Arg = MTE->getSubExpr()->IgnoreImplicit();
    const FunctionDecl *Routine = nullptr;
    if (auto *LE = dyn_cast<LambdaExpr>(Arg->IgnoreParenCasts()))
      Routine = LE->getCallOperator();
    else
      Routine = functionIn(Arg);
    if (Routine)
      Starts.push_back({Routine, CE->getBeginLoc(),
                        quoted(nameOf(Routine)) +
                            " runs without the GIL: it is started as a "
                            "thread by 'std::" +
                            Class->getName().str() + "' here"});
    return true;
  }

  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (!Callee || !Callee->getIdentifier())
      return true;
    llvm::StringRef Name = Callee->getName();
    if (initializesPython(Name))
      InitializesPython = true;
    if (std::optional<Registrar> R = registrarOf(Name)) {
      if (R->Arg < CE->getNumArgs())
        if (const FunctionDecl *Routine = functionIn(CE->getArg(R->Arg)))
          Starts.push_back(
              {Routine, CE->getExprLoc(),
               R->What == Registrar::Thread
                   ? quoted(nameOf(Routine)) +
                         " runs without the GIL: it is started as a thread "
                         "by " +
                         quoted(Name) + " here"
                   : quoted(nameOf(Routine)) +
                         " runs without the GIL: it is registered with " +
                         quoted(Name) + " here"});
      return true;
    }
    if (Name == "PyMem_SetAllocator" && CE->getNumArgs() == 2 &&
        isRawDomain(CE->getArg(0)))
      RawInstalls.push_back({CE->getArg(1), CE->getExprLoc()});
    if (!Callee->hasBody())
      for (const Expr *Arg : CE->arguments())
        if (const FunctionDecl *F = functionIn(Arg))
          if (isGilAllocationApi(*F))
            Escapes.push_back({F, Callee, Arg->getExprLoc()});
    return true;
  }

  /// After the walk, when every CPython header has been seen: the C API
  /// is not foreign code.
  void dropApiEscapes() {
    llvm::erase_if(Escapes,
                   [&](const Escape &E) { return Headers.declares(*E.To); });
  }

  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (BO->getOpcode() != BO_Assign)
      return true;
    if (auto *ME = dyn_cast<MemberExpr>(BO->getLHS()->IgnoreParenImpCasts()))
      if (const VarDecl *V = varIn(ME->getBase()))
        if (const FunctionDecl *F = functionIn(BO->getRHS()))
          MemberAssignments[V].push_back(F);
    return true;
  }

  /// After the walk: the functions of each allocator installed for the RAW
  /// domain, from the struct's initializer and its members' assignments.
  void resolveRawAllocators() {
    for (const auto &[Arg, Loc] : RawInstalls) {
      const Expr *E = Arg->IgnoreParenCasts();
      if (auto *UO = dyn_cast<UnaryOperator>(E))
        if (UO->getOpcode() == UO_AddrOf)
          E = UO->getSubExpr()->IgnoreParenCasts();
      std::vector<const FunctionDecl *> Fns;
      if (auto *CL = dyn_cast<CompoundLiteralExpr>(E))
        collectFunctions(CL->getInitializer(), Fns);
      if (const VarDecl *V = varIn(E)) {
        if (const Expr *Init = V->getInit())
          collectFunctions(Init, Fns);
        auto It = MemberAssignments.find(V);
        if (It != MemberAssignments.end())
          Fns.insert(Fns.end(), It->second.begin(), It->second.end());
      }
      for (const FunctionDecl *F : Fns)
        Starts.push_back({F, Loc,
                          quoted(nameOf(F)) +
                              " runs without the GIL: it is installed as a "
                              "PYMEM_DOMAIN_RAW allocator here",
                          /*IsAllocator=*/true});
    }
  }

private:
  const SourceManager &SM;
  CPythonHeaders &Headers;
  std::vector<const FunctionDecl *> Defined;
  std::vector<std::pair<const Expr *, SourceLocation>> RawInstalls;
  llvm::DenseMap<const VarDecl *, std::vector<const FunctionDecl *>>
      MemberAssignments;

  static const FunctionDecl *functionIn(const Expr *E) {
    E = E->IgnoreParenCasts();
    if (auto *UO = dyn_cast<UnaryOperator>(E))
      if (UO->getOpcode() == UO_AddrOf)
        E = UO->getSubExpr()->IgnoreParenCasts();
    if (auto *DRE = dyn_cast<DeclRefExpr>(E))
      return dyn_cast<FunctionDecl>(DRE->getDecl());
    return nullptr;
  }

  static const VarDecl *varIn(const Expr *E) {
    if (auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts()))
      return dyn_cast<VarDecl>(DRE->getDecl());
    return nullptr;
  }

  static bool isRawDomain(const Expr *E) {
    E = E->IgnoreParenImpCasts();
    if (auto *DRE = dyn_cast<DeclRefExpr>(E))
      if (auto *EC = dyn_cast<EnumConstantDecl>(DRE->getDecl()))
        return EC->getName() == "PYMEM_DOMAIN_RAW";
    return false;
  }

  static void collectFunctions(const Stmt *S,
                               std::vector<const FunctionDecl *> &Out) {
    if (!S)
      return;
    if (auto *E = dyn_cast<Expr>(S))
      if (const FunctionDecl *F = functionIn(E)) {
        Out.push_back(F);
        return;
      }
    for (const Stmt *Child : S->children())
      collectFunctions(Child, Out);
  }
};

/// What E names that can hold a PyGILState token: a variable, or a member
/// of the object a method works on (`st`, `this->st`).
const ValueDecl *tokenHolder(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (auto *DRE = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(DRE->getDecl());
  if (auto *ME = dyn_cast<MemberExpr>(E))
    if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
      return dyn_cast<FieldDecl>(ME->getMemberDecl());
  return nullptr;
}

/// Collects, in one function, where PyGILState_Ensure's tokens go: to
/// variables, to members of `this`, and (through a guard's constructor) to
/// local and temporary objects.
class TokenFinder : public RecursiveASTVisitor<TokenFinder> {
public:
  explicit TokenFinder(llvm::DenseMap<const Expr *, TokenHolder> &Out)
      : Out(Out) {}

  void findIn(const FunctionDecl &FD) {
    if (auto *Ctor = dyn_cast<CXXConstructorDecl>(&FD))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->isMemberInitializer())
          if (const CallExpr *CE = ensureCall(Init->getInit()))
            Out[CE] = Init->getMember();
    TraverseStmt(FD.getBody());
  }

  bool VisitVarDecl(VarDecl *V) {
    if (const CallExpr *CE = ensureCall(V->getInit()))
      Out[CE] = V;
    else if (const CXXConstructExpr *CE = constructionOf(V->getInit()))
      Out[CE] = V;
    return true;
  }
  /// A temporary holds its token itself, to the end of its full-expression,
  /// unless it is the variable it initializes or is bound to a reference
  /// that extends its life: VisitVarDecl, which comes first, gave those to
  /// the variable.
  bool VisitCXXBindTemporaryExpr(CXXBindTemporaryExpr *BTE) {
    if (auto *CE = dyn_cast<CXXConstructExpr>(BTE->getSubExpr()))
      Out.try_emplace(CE, BTE);
    return true;
  }
  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (BO->getOpcode() == BO_Assign)
      if (const ValueDecl *H = tokenHolder(BO->getLHS()))
        if (const CallExpr *CE = ensureCall(BO->getRHS()))
          Out[CE] = H;
    return true;
  }

private:
  llvm::DenseMap<const Expr *, TokenHolder> &Out;

  /// The construction that builds the object E initializes, through the
  /// copies of a temporary that C++14 allows to elide and every compiler
  /// does (`Gil g = Gil();`): the temporary is the variable.
  static const CXXConstructExpr *constructionOf(const Expr *E) {
    auto *CE = E ? dyn_cast<CXXConstructExpr>(E->IgnoreImplicit()) : nullptr;
    while (CE && CE->isElidable()) {
      auto *Copied =
          dyn_cast<CXXConstructExpr>(CE->getArg(0)->IgnoreImplicit());
      if (!Copied)
        break;
      CE = Copied;
    }
    return CE;
  }

  static const CallExpr *ensureCall(const Expr *E) {
    if (!E)
      return nullptr;
    auto *CE = dyn_cast<CallExpr>(E->IgnoreParenCasts());
    if (!CE || !CE->getDirectCallee())
      return nullptr;
    return apiEffect(*CE->getDirectCallee(), *CE) == GilEffect::EnsureGil
               ? CE
               : nullptr;
  }
};

/// Finds, in one function, where PyEval_SaveThread (or
/// PyThreadState_Swap(NULL)) hands the thread state it detaches: to a
/// variable of the function that is only ever tested, reset, overwritten
/// by another release or given back to PyEval_RestoreThread.  Any other
/// use (returned, stored elsewhere, passed on, its address taken,
/// captured) may keep the state beyond the function, which may then mean
/// to return without the GIL.  So may a reference, a static, and a
/// variable whose cleanup function gets its address.
class SavedStateFinder : public RecursiveASTVisitor<SavedStateFinder> {
public:
  SavedStateFinder(const FunctionDecl &FD, ASTContext &Ctx)
      : FD(FD), Ctx(Ctx) {}

  /// The first walk finds the candidates; only a function that has some
  /// (most release nothing) is walked again, for their uses.
  void findIn(SavedStates &Out) {
    TraverseStmt(FD.getBody());
    if (Candidates.empty())
      return;
    for (const auto &[Call, Holder] : Candidates)
      Holders.insert(Holder);
    Parents.emplace(FD.getBody());
    TraverseStmt(FD.getBody());
    for (const auto &[Call, Holder] : Candidates)
      if (isPrivate(*Holder))
        Out.HolderOf[Call] = Holder;
    for (const auto &[Holder, Loc] : Restores)
      if (isPrivate(*Holder))
        Out.FirstRestore.try_emplace(Holder, Loc);
  }

  bool VisitVarDecl(VarDecl *V) {
    if (const CallExpr *CE = savingCall(V->getInit()); CE && !Parents)
      Candidates.push_back({CE, V});
    return true;
  }
  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (BO->getOpcode() != BO_Assign || Parents)
      return true;
    if (const VarDecl *V = variableIn(BO->getLHS()))
      if (const CallExpr *CE = savingCall(BO->getRHS()))
        Candidates.push_back({CE, V});
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DRE) {
    auto *V = dyn_cast<VarDecl>(DRE->getDecl());
    if (Parents && V && Holders.count(V) && !leavesStateInPlace(*DRE, *V))
      Kept.insert(V);
    return true;
  }

private:
  const FunctionDecl &FD;
  ASTContext &Ctx;
  /// Set for the second walk.
  std::optional<ParentMap> Parents;
  std::vector<std::pair<const CallExpr *, const VarDecl *>> Candidates;
  llvm::DenseSet<const VarDecl *> Holders;
  std::vector<std::pair<const VarDecl *, SourceLocation>> Restores;
  llvm::DenseSet<const VarDecl *> Kept;

  bool isPrivate(const VarDecl &V) const {
    return !Kept.count(&V) && V.hasLocalStorage() &&
           !V.getType()->isReferenceType() && !V.hasAttr<CleanupAttr>() &&
           V.getParentFunctionOrMethod() == &FD;
  }

  static const VarDecl *variableIn(const Expr *E) {
    if (auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParens()))
      return dyn_cast<VarDecl>(DRE->getDecl());
    return nullptr;
  }

  /// A release that returns the thread state it detaches, braced
  /// (`ts{PyEval_SaveThread()}`) or not.
  static const CallExpr *savingCall(const Expr *E) {
    if (!E)
      return nullptr;
    E = E->IgnoreParenCasts();
    if (auto *List = dyn_cast<InitListExpr>(E))
      E = List->getNumInits() == 1 ? List->getInit(0)->IgnoreParenCasts()
                                   : nullptr;
    auto *CE = dyn_cast_or_null<CallExpr>(E);
    if (!CE || !CE->getDirectCallee() || !CE->getType()->isPointerType())
      return nullptr;
    return apiEffect(*CE->getDirectCallee(), *CE) == GilEffect::Release
               ? CE
               : nullptr;
  }

  bool isNull(const Expr *E) const {
    return E->IgnoreParenCasts()->isNullPointerConstant(
        Ctx, Expr::NPC_ValueDependentIsNotNull);
  }

  /// True when this use of V neither copies nor exposes the state it holds.
  bool leavesStateInPlace(const DeclRefExpr &Use, const VarDecl &V) {
    if (Use.refersToEnclosingVariableOrCapture())
      return false;
    const Stmt *Child = &Use;
    const Stmt *P = Parents->getParent(Child);
    while (P && (isa<ParenExpr>(P) || isa<ImplicitCastExpr>(P))) {
      Child = P;
      P = Parents->getParent(P);
    }
    if (!P)
      return false;
    if (auto *BO = dyn_cast<BinaryOperator>(P)) {
      if (BO->getOpcode() == BO_Assign)
        return BO->getLHS() == Child &&
               (isNull(BO->getRHS()) || savingCall(BO->getRHS()));
      if (BO->isEqualityOp())
        return isNull(BO->getLHS() == Child ? BO->getRHS() : BO->getLHS());
      return BO->isLogicalOp();
    }
    if (auto *UO = dyn_cast<UnaryOperator>(P))
      return UO->getOpcode() == UO_LNot;
    if (auto *CE = dyn_cast<CallExpr>(P)) {
      const FunctionDecl *Callee = CE->getDirectCallee();
      if (!Callee || apiEffect(*Callee, *CE) != GilEffect::Acquire)
        return false;
      Restores.push_back({&V, CE->getBeginLoc()});
      return true;
    }
    if (auto *If = dyn_cast<IfStmt>(P))
      return If->getCond() == Child;
    if (auto *While = dyn_cast<WhileStmt>(P))
      return While->getCond() == Child;
    if (auto *Do = dyn_cast<DoStmt>(P))
      return Do->getCond() == Child;
    if (auto *For = dyn_cast<ForStmt>(P))
      return For->getCond() == Child;
    if (auto *CO = dyn_cast<ConditionalOperator>(P))
      return CO->getCond() == Child;
    return false;
  }
};

// ---- The checker ----

class GilChecker : public ASTConsumer {
public:
  GilChecker(CompilerInstance &CI, const Options &Opts)
      : CI(CI), Scope(Opts.GilApiAll ? ApiScope::All : ApiScope::Memory),
        Levels(Opts.Levels),
        SarifPath(Opts.SarifPath), Stats(Opts.GilStats),
        SummariesDir(Opts.GilSummariesDir) {}

  void HandleTranslationUnit(ASTContext &Context) override {
    if (CI.getDiagnostics().hasUncompilableErrorOccurred()) {
      sink(Context).finish("the translation unit has errors: the GIL "
                           "analysis did not run");
      return;
    }
    auto Start = std::chrono::steady_clock::now();
    analyse(Context);
    if (Stats)
      printStats(std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - Start)
                     .count());
  }

private:
  FindingSink sink(ASTContext &Context) const {
    return FindingSink(CI.getDiagnostics(), Context.getSourceManager(),
                       CI.getLangOpts(), Levels, SarifPath);
  }

  void analyse(ASTContext &Context) {
    Ctx = &Context;
    SM = &Context.getSourceManager();
    FindingSink Sink = sink(Context);
    // Every check off, and a SARIF file asked for: an empty log.
    if (llvm::all_of(Levels, [](CheckLevel L) { return L == CheckLevel::Off; })) {
      Sink.finish();
      return;
    }
    Headers.emplace(*SM);
    UsageFinder Usage(*SM, *Headers);
    Usage.TraverseDecl(Context.getTranslationUnitDecl());
    Usage.classifyFunctions();
    Usage.dropApiEscapes();
    Usage.resolveRawAllocators();
    collectFunctions(Usage);
    solveToFixpoint();
    if (!SummariesDir.empty() && !shareSummaries()) {
      Sink.finish("the GIL summaries could not be shared: the GIL analysis "
                  "did not run");
      return;
    }
    std::vector<Finding> Findings;
    for (const UsageFinder::Escape &E : Usage.Escapes)
      Findings.push_back(escapeFinding(E));
    for (FunctionInfo *FI : Order)
      for (const NeedyCall &NC : FI->Needy)
        if (notHeld(NC.At))
          Findings.push_back(callFinding(NC));
    for (FunctionInfo *FI : Order)
      for (const LostState &L : FI->Lost)
        Findings.push_back(returnFinding(*FI, L));
    dropRepeats(Findings);
    // In source order, whatever order the functions were solved in.
    sortBySource(Findings, [](const Finding &F) { return F.Loc; });
    for (Finding &F : Findings)
      Sink.report(std::move(F));
    Sink.finish();
  }

  /// Drops each finding that repeats an earlier one (same check, place
  /// and text): a template's pattern and instantiations share their
  /// source, and each would report the same call or return again.
  static void dropRepeats(std::vector<Finding> &Findings) {
    std::set<std::tuple<Check, unsigned, std::string>> Seen;
    llvm::erase_if(Findings, [&Seen](const Finding &F) {
      return !Seen.emplace(F.Which, F.Loc.getRawEncoding(), F.Message).second;
    });
  }

  /// Writes this translation unit's summaries, computed before reading
  /// any other's, then reads the others' and solves again with them.
  bool shareSummaries() {
    std::string Own = SummaryStore::fileFor(SummariesDir, mainFilePath());
    std::string Error;
    if (!SummaryStore::write(Own, localSummaries(), Error) ||
        !Store.emplace().read(SummariesDir, Own, Error)) {
      DiagnosticsEngine &Diags = CI.getDiagnostics();
      Diags.Report(Diags.getCustomDiagID(
          DiagnosticsEngine::Error,
          "pymemcheck: GIL summaries in '%0': %1; check "
          "-fplugin-arg-pymemcheck-gil-summaries="))
          << SummariesDir << Error;
      return false;
    }
    for (FunctionInfo *FI : Order)
      FI->Sum = Summary();
    solveToFixpoint();
    return true;
  }

  /// The main file's absolute path, links resolved: a file compiled from
  /// any directory has one summary file, and two files of one name in two
  /// directories (a/util.c, b/util.c) have two.
  std::string mainFilePath() const {
    FileManager &Files = CI.getFileManager();
    llvm::SmallString<256> Path(
        SM->getFilename(SM->getLocForStartOfFile(SM->getMainFileID())));
    Files.makeAbsolutePath(Path);
    llvm::SmallString<256> Real;
    if (!Files.getVirtualFileSystem().getRealPath(Path, Real))
      return std::string(Real);
    llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    return std::string(Path);
  }

  TextLocation textLocation(SourceLocation Loc) const {
    PresumedLoc P = SM->getPresumedLoc(SM->getFileLoc(Loc));
    return P.isValid() ? TextLocation{P.getFilename(), P.getLine()}
                       : TextLocation{};
  }

  std::vector<LocalSummary> localSummaries() {
    std::vector<LocalSummary> Out;
    for (const FunctionInfo *FI : Order) {
      if (!isSharedFunction(*FI->FD) || !FI->FD->isExternallyVisible() ||
          SM->isInSystemHeader(SM->getExpansionLoc(FI->FD->getLocation())))
        continue;
      LocalSummary S;
      S.Name = FI->FD->getName().str();
      S.NeedsGil = FI->Sum.NeedsGil;
      if (S.NeedsGil) {
        std::vector<FindingNote> Chain;
        addChain(FI->FD, Chain);
        for (const FindingNote &N : Chain) {
          // "... it calls 'g' here" reads "... at file:line" elsewhere.
          llvm::StringRef Text(N.Message);
          if (compat::endsWith(Text, " here"))
            Text = Text.drop_back(llvm::StringRef(" here").size());
          TextLocation At = textLocation(N.Loc);
          S.NeedsChain.push_back(
              llvm::formatv("{0} at {1}:{2}", Text, At.File, At.Line).str());
        }
      }
      S.Releases = FI->Sum.Releases;
      S.Acquires = FI->Sum.Acquires;
      for (const auto &[Loc, Callee] : FI->ForeignCalls)
        S.UnknownStateCalls.push_back(
            {Callee->getName().str(), textLocation(Loc)});
      Out.push_back(std::move(S));
    }
    return Out;
  }

  void printStats(double Seconds) const {
    size_t Blocks = 0;
    for (const FunctionInfo *FI : Order)
      if (FI->Graph)
        Blocks += FI->Graph->getNumBlockIDs();
    llvm::errs() << llvm::format(
        "pymemcheck: GIL analysis: %zu functions, %zu CFG blocks, %zu "
        "solves, %.3f ms, %.0f functions/s\n",
        Order.size(), Blocks, Solves, Seconds * 1e3,
        Seconds > 0 ? Order.size() / Seconds : 0.0);
  }

  CompilerInstance &CI;
  ApiScope Scope;
  CheckLevels Levels;
  std::string SarifPath;
  bool Stats;
  std::string SummariesDir;
  std::optional<SummaryStore> Store;
  std::optional<CPythonHeaders> Headers;
  size_t Solves = 0;
  ASTContext *Ctx = nullptr;
  SourceManager *SM = nullptr;

  std::deque<FunctionInfo> Infos;
  std::vector<FunctionInfo *> Order; ///< translation-unit order
  llvm::DenseMap<const FunctionDecl *, FunctionInfo *> InfoOf;
  std::deque<Origin> Origins;
  llvm::DenseMap<std::pair<const void *, const Origin *>, const Origin *>
      OriginOf;

  /// Sorts Items by where LocOf says each is; equal places keep their order.
  template <typename T, typename LocFn>
  void sortBySource(std::vector<T> &Items, LocFn LocOf) const {
    std::vector<size_t> Rank(Items.size());
    for (size_t I = 0; I != Rank.size(); ++I)
      Rank[I] = I;
    llvm::sort(Rank, [&](size_t A, size_t B) {
      SourceLocation LA = LocOf(Items[A]), LB = LocOf(Items[B]);
      if (LA != LB)
        return SM->isBeforeInTranslationUnit(LA, LB);
      return A < B;
    });
    std::vector<T> Sorted;
    Sorted.reserve(Items.size());
    for (size_t I : Rank)
      Sorted.push_back(std::move(Items[I]));
    Items = std::move(Sorted);
  }

  // ---- Setting up ----

  FunctionInfo *info(const FunctionDecl *FD) const {
    if (!FD)
      return nullptr;
    auto It = InfoOf.find(FD->getCanonicalDecl());
    return It == InfoOf.end() ? nullptr : It->second;
  }

  const Origin *origin(const void *Key, SourceLocation Loc, std::string Message,
                       const Origin *Earlier = nullptr) {
    const Origin *&O = OriginOf[{Key, Earlier}];
    if (!O) {
      Origins.push_back({SM->getFileLoc(Loc), std::move(Message), Earlier});
      O = &Origins.back();
    }
    return O;
  }

  void addFunction(const FunctionDecl *FD) {
    if (InfoOf.count(FD->getCanonicalDecl()))
      return;
    Infos.emplace_back();
    FunctionInfo &FI = Infos.back();
    FI.FD = FD;
    FI.ADC = std::make_unique<AnalysisDeclContext>(nullptr, FD);
    CFG::BuildOptions &BO = FI.ADC->getCFGBuildOptions();
    BO.PruneTriviallyFalseEdges = true;
    BO.AddEHEdges = false;
    BO.AddInitializers = true;
    BO.AddImplicitDtors = true;
    BO.AddTemporaryDtors = true;
    // Calls operator new where it runs: before the constructor.
    BO.AddCXXNewAllocator = true;
    BO.setAllAlwaysAdd();
    FI.Graph = FI.ADC->getCFG();
    FI.Annotated = annotationsOf(*FD);
    TokenFinder(FI.TokenHolders).findIn(*FD);
    SavedStateFinder(*FD, *Ctx).findIn(FI.Saved);
    InfoOf[FD->getCanonicalDecl()] = &FI;
    Order.push_back(&FI);
  }

  void collectFunctions(const UsageFinder &Usage) {
    for (const FunctionDecl *FD : Usage.Functions)
      addFunction(FD);
    // Then the system headers' functions they reach, transitively, in the
    // order they are first reached.
    for (size_t I = 0; I != Order.size(); ++I) {
      if (!Order[I]->Graph)
        continue;
      for (const CFGBlock *B : *Order[I]->Graph)
        for (const CFGElement &E : *B)
          if (const FunctionDecl *Callee = callOf(E).Callee) {
            auto It = Usage.SystemFunctions.find(Callee->getCanonicalDecl());
            if (It != Usage.SystemFunctions.end())
              addFunction(It->second);
            // The special members the compiler defined: an implicit
            // destructor runs its members' and bases' destructors.
            else if (Callee->isImplicit() &&
                     Callee->doesThisDeclarationHaveABody())
              addFunction(Callee);
          }
    }
    // Entry states: the first reason found wins, annotations first.
    for (FunctionInfo *FI : Order) {
      if (FI->Annotated.WithoutGil)
        FI->StartsWithout =
            origin(FI->FD, annotationLoc(*FI->FD, "pymemcheck::without_gil"),
                   quoted(nameOf(FI->FD)) +
                       " runs without the GIL: it is declared "
                       "PYMEMCHECK_WITHOUT_GIL");
      else if (FI->FD->isMain() && Usage.InitializesPython)
        FI->StartsWithout =
            origin(FI->FD, FI->FD->getLocation(),
                   "'main' runs without the GIL until Python is initialized");
    }
    for (const UsageFinder::Start &S : Usage.Starts)
      if (FunctionInfo *FI = info(S.FD)) {
        if (!FI->StartsWithout)
          FI->StartsWithout = origin(FI->FD, S.Loc, S.Message);
        FI->IsAllocator |= S.IsAllocator;
      }
    // Callers, from the calls each CFG makes to functions defined here.
    for (FunctionInfo *FI : Order) {
      if (!FI->Graph)
        continue;
      llvm::DenseSet<FunctionInfo *> Seen;
      for (const CFGBlock *B : *FI->Graph)
        for (const CFGElement &E : *B)
          if (FunctionInfo *Callee = info(callOf(E).Callee))
            if (Seen.insert(Callee).second)
              Callee->Callers.push_back(FI);
    }
  }

  SourceLocation annotationLoc(const FunctionDecl &FD, llvm::StringRef What) {
    for (const FunctionDecl *R : FD.redecls())
      for (const AnnotateAttr *A : R->specific_attrs<AnnotateAttr>())
        if (A->getAnnotation() == What && !A->isInherited())
          return R->getLocation();
    return FD.getLocation();
  }

  /// A call an element makes: the function it calls, with the call
  /// expression when it is one, and where the call happens as the user
  /// wrote it.
  struct ElementCall {
    const CallExpr *Call = nullptr;
    const FunctionDecl *Callee = nullptr;
    SourceLocation Loc;
  };

  /// The call of an element: a call, a constructor, operator new or
  /// delete, a destructor the compiler runs (a local's at scope end, a
  /// temporary's at the end of its full-expression, a deleted object's,
  /// members' and bases' at the end of a destructor, each at the member or
  /// base it destroys), a cleanup function (at its variable).  No callee
  /// for anything else.
  ElementCall callOf(const CFGElement &E) const {
    if (auto S = E.getAs<CFGStmt>()) {
      const Stmt *St = S->getStmt();
      SourceLocation Loc = St->getBeginLoc();
      if (auto *CE = dyn_cast<CallExpr>(St))
        return {CE, CE->getDirectCallee(), Loc};
      if (auto *CE = dyn_cast<CXXConstructExpr>(St))
        return {nullptr, CE->getConstructor(), Loc};
      if (auto *DE = dyn_cast<CXXDeleteExpr>(St))
        return {nullptr, DE->getOperatorDelete(), Loc};
      return {};
    }
    if (auto N = E.getAs<CFGNewAllocator>())
      return {nullptr, N->getAllocatorExpr()->getOperatorNew(),
              N->getAllocatorExpr()->getBeginLoc()};
    if (auto D = E.getAs<CFGBaseDtor>())
      return {nullptr, destructorOf(D->getBaseSpecifier()->getType()),
              D->getBaseSpecifier()->getBeginLoc()};
    if (auto D = E.getAs<CFGMemberDtor>())
      return {nullptr, destructorOf(D->getFieldDecl()->getType()),
              D->getFieldDecl()->getLocation()};
    if (auto D = E.getAs<CFGAutomaticObjDtor>())
      return {nullptr, D->getDestructorDecl(*Ctx),
              D->getTriggerStmt()->getEndLoc()};
    if (auto D = E.getAs<CFGDeleteDtor>())
      return {nullptr, D->getDestructorDecl(*Ctx),
              D->getDeleteExpr()->getBeginLoc()};
    if (auto D = E.getAs<CFGTemporaryDtor>())
      return {nullptr, D->getDestructorDecl(*Ctx),
              D->getBindTemporaryExpr()->getBeginLoc()};
    if (const VarDecl *V = compat::cleanedUpVariable(E))
      return {nullptr, V->getAttr<CleanupAttr>()->getFunctionDecl(),
              V->getLocation()};
    return {};
  }

  const FunctionDecl *destructorOf(QualType T) const {
    const CXXRecordDecl *RD = Ctx->getBaseElementType(T)->getAsCXXRecordDecl();
    return RD && RD->hasDefinition() ? RD->getDestructor() : nullptr;
  }

  // ---- Pass 2: summaries ----

  void solveToFixpoint() {
    std::deque<FunctionInfo *> Work(Order.begin(), Order.end());
    for (FunctionInfo *FI : Order)
      FI->Queued = true;
    while (!Work.empty()) {
      FunctionInfo *FI = Work.front();
      Work.pop_front();
      FI->Queued = false;
      Summary Old = FI->Sum;
      solve(*FI);
      if (FI->Sum == Old)
        continue;
      for (FunctionInfo *Caller : FI->Callers)
        if (!Caller->Queued) {
          Caller->Queued = true;
          Work.push_back(Caller);
        }
    }
  }

  void solve(FunctionInfo &FI) {
    ++Solves;
    FI.Needy.clear();
    FI.Lost.clear();
    FI.ForeignCalls.clear();
    Summary S;
    if (FI.Annotated.NeedsGil)
      S.NeedsGil = true;
    if (!FI.Graph) {
      S.Releases = FI.Annotated.Releases;
      S.Acquires = FI.Annotated.Acquires;
      FI.Sum = S;
      return;
    }
    const CFG &G = *FI.Graph;
    std::vector<GilState> In(G.getNumBlockIDs());
    GilState &Entry = In[G.getEntry().getBlockID()];
    Entry.Reached = true;
    if (FI.StartsWithout)
      Entry.set(Gil::Released, FI.StartsWithout);

    ForwardDataflowWorklist Work(G, *FI.ADC);
    Work.enqueueBlock(&G.getEntry());
    while (const CFGBlock *B = Work.dequeue()) {
      GilState Out = In[B->getBlockID()];
      for (const CFGElement &E : *B)
        transfer(FI, E, Out, nullptr);
      forEachEdge(*B, Out, [&](const CFGBlock &Succ, const GilState &Edge) {
        GilState &Next = In[Succ.getBlockID()];
        GilState Before = Next;
        Next.joinWith(Edge);
        if (!(Next == Before))
          Work.enqueueBlock(&Succ);
      });
    }

    // The final solution, once more, to record the calls, the lost thread
    // states and the summary.  Several blocks may fall off the end.  Only
    // a release whose state a private variable holds can lose it (SavedIn
    // comes from Saved.HolderOf alone): most functions have none, and skip
    // the ways out.
    bool MayLoseState = !FI.Saved.HolderOf.empty();
    llvm::MapVector<const Stmt *, GilState> AtWayOut;
    for (const CFGBlock *B : G) {
      GilState Out = In[B->getBlockID()];
      if (!Out.Reached)
        continue;
      for (const CFGElement &E : *B)
        transfer(FI, E, Out, &S);
      if (MayLoseState)
        forEachEdge(*B, Out, [&](const CFGBlock &Succ, const GilState &Edge) {
          if (&Succ == &G.getExit())
            if (const Stmt *WayOut = wayOut(FI, *B))
              AtWayOut[WayOut].joinWith(Edge);
        });
    }
    // `main` returns to the C library, which ends the process without
    // running Python again.
    if (!FI.FD->isMain())
      for (const auto &[WayOut, St] : AtWayOut)
        if (notHeld(St.Value) && St.SavedIn)
          FI.Lost.push_back({WayOut, St.Value, St.SavedIn, St.Why});
    // In source order; the element order breaks ties (a destructor and the
    // call it ends the scope of).
    sortBySource(FI.Needy, [](const NeedyCall &NC) { return NC.Loc; });
    const GilState &Exit = In[G.getExit().getBlockID()];
    if (Exit.Reached && !FI.StartsWithout) {
      S.Releases = Exit.Value == Gil::Released;
      S.Acquires = Exit.Value == Gil::Held && !Exit.SawRelease;
      S.EnsuresForObject =
          isa<CXXConstructorDecl>(FI.FD) && Exit.Value == Gil::Held &&
          llvm::any_of(Exit.Tokens,
                       [](const Token &T) { return isObjectMember(T.Holder); });
      S.RestoresForObject =
          isa<CXXDestructorDecl>(FI.FD) && Exit.RestoredObjectToken;
    }
    S.Releases |= FI.Annotated.Releases;
    S.Acquires |= FI.Annotated.Acquires;
    FI.Sum = S;
  }

  /// Calls Visit with each successor of B that a path can go on to, and
  /// the state Out, B's own, as that path sees it on the way.
  template <typename VisitFn>
  void forEachEdge(const CFGBlock &B, const GilState &Out,
                   VisitFn Visit) const {
    std::optional<std::pair<CondKey, bool>> Cond;
    if (B.succ_size() == 2)
      Cond = followableCondition(
          dyn_cast_or_null<Expr>(B.getTerminatorCondition()), *Ctx);
    unsigned Index = 0;
    for (const CFGBlock *Succ : B.succs()) {
      bool TakenWhenTrue = Index++ == 0;
      if (!Succ)
        continue;
      GilState Edge = Out;
      if (Cond && !Edge.assume(Cond->first, TakenWhenTrue != Cond->second))
        continue; // this path cannot take that branch
      Visit(*Succ, Edge);
    }
  }

  /// How B, a block the exit follows, returns: its return statement, or
  /// the body when it falls off the end.  Null when it does not return:
  /// a noreturn call, or a throw (the handler decides what the exception
  /// leaves).
  static const Stmt *wayOut(const FunctionInfo &FI, const CFGBlock &B) {
    if (B.hasNoReturnElement())
      return nullptr;
    const Stmt *Return = FI.FD->getBody();
    for (const CFGElement &E : B)
      if (auto S = E.getAs<CFGStmt>()) {
        if (isa<CXXThrowExpr>(S->getStmt()))
          return nullptr;
        if (isa<ReturnStmt>(S->getStmt()))
          Return = S->getStmt();
      }
    return Return;
  }

  /// Applies element E to state St; with Record, notes the calls that need
  /// the GIL and fills the summary.
  void transfer(FunctionInfo &FI, const CFGElement &E, GilState &St,
                Summary *Record) {
    if (auto S = E.getAs<CFGStmt>())
      applyWrite(S->getStmt(), St, *Ctx);
    auto [Call, Callee, Loc] = callOf(E);
    if (!Callee)
      return;
    if (Record && St.Value == Gil::Unknown && !info(Callee) &&
        isSharedFunction(*Callee) && !apiNeedsGil(*Callee))
      FI.ForeignCalls.push_back({Loc, Callee});
    if (Record && needsGil(*Callee)) {
      FI.Needy.push_back({FI.FD, Loc, Call, Callee, St.Value, St.Why});
      if (St.Value == Gil::Unknown && betterCause(*Record, Loc, *Callee)) {
        Record->NeedsGil = true;
        Record->NeedsAt = Loc;
        Record->NeedsCallee = Callee;
      }
    }

    GilEffect Effect =
        Call ? apiEffect(*Callee, *Call) : GilEffect::None;
    switch (Effect) {
    case GilEffect::Release:
      St.set(Gil::Released,
             origin(Call, Loc,
                    "the GIL is released here by " +
                        quoted(writtenAs(Loc, Callee->getName()))));
      St.SavedIn = FI.Saved.HolderOf.lookup(Call);
      St.SawRelease = true;
      return;
    case GilEffect::Acquire:
      St.set(Gil::Held, nullptr);
      return;
    case GilEffect::EnsureGil:
      keepToken(FI, Call, St);
      St.set(Gil::Held, nullptr);
      return;
    case GilEffect::RestoreToken:
      restoreToken(Call->getNumArgs() == 1 ? tokenHolder(Call->getArg(0))
                                           : nullptr,
                   St);
      return;
    case GilEffect::None:
      break;
    }

    const FunctionInfo *CalleeInfo = info(Callee);
    if (CalleeInfo && CalleeInfo->Sum.EnsuresForObject)
      if (auto S = E.getAs<CFGStmt>())
        keepToken(FI, dyn_cast<Expr>(S->getStmt()), St);
    if (CalleeInfo && CalleeInfo->Sum.RestoresForObject) {
      if (auto D = E.getAs<CFGAutomaticObjDtor>()) {
        restoreToken(D->getVarDecl(), St);
        return;
      }
      if (auto D = E.getAs<CFGTemporaryDtor>())
        if (restoreTemporary(D->getBindTemporaryExpr(), Loc, St))
          return;
    }
    GilAnnotations A =
        CalleeInfo ? CalleeInfo->Annotated : annotationsOf(*Callee);
    bool Releases = CalleeInfo ? CalleeInfo->Sum.Releases : A.Releases;
    bool Acquires = CalleeInfo ? CalleeInfo->Sum.Acquires : A.Acquires;
    if (const ExternalSummary *Ext = external(*Callee)) {
      Releases |= Ext->Releases;
      Acquires |= Ext->Acquires;
    }
    if (Releases) {
      std::string By = writtenAs(Loc, "");
      St.set(Gil::Released,
             origin(Call ? static_cast<const void *>(Call) : Callee, Loc,
                    By.empty() ? "the GIL is released here by the call to " +
                                     quoted(nameOf(Callee)) +
                                     ", which returns without it"
                               : "the GIL is released here by " + quoted(By)));
      St.SawRelease = true;
    } else if (Acquires) {
      St.set(Gil::Held, nullptr);
    }
  }

  /// Whether a call to Callee at Loc explains "needs the GIL" better than
  /// the one S has: a call of the C API or of an annotated function ends
  /// the chain of notes at once, and among equals the first in the source
  /// reads best (and is the same whatever order the CFG's blocks are in).
  bool betterCause(const Summary &S, SourceLocation Loc,
                   const FunctionDecl &Callee) const {
    if (!S.NeedsCallee)
      return true;
    auto EndsChain = [&](const FunctionDecl &F) { return !info(&F); };
    bool New = EndsChain(Callee), Old = EndsChain(*S.NeedsCallee);
    if (New != Old)
      return New;
    return SM->isBeforeInTranslationUnit(Loc, S.NeedsAt);
  }

  /// Remembers, for the holder that Site hands a token to, the state
  /// before it.
  static void keepToken(const FunctionInfo &FI, const Expr *Site,
                        GilState &St) {
    auto It = FI.TokenHolders.find(Site);
    if (It == FI.TokenHolders.end())
      return;
    llvm::erase_if(St.Tokens,
                   [&](const Token &T) { return T.Holder == It->second; });
    St.Tokens.push_back({It->second, St.Value, St.Why});
  }

  static void restoreToken(const ValueDecl *Holder, GilState &St) {
    if (Holder)
      for (const Token &T : St.Tokens)
        if (T.Holder == TokenHolder(Holder)) {
          St.set(T.Before, T.Why);
          return;
        }
    // A token from elsewhere: the state before its Ensure is not in view
    // here, but a guard's caller may know it.
    St.set(Gil::Unknown, nullptr);
    St.RestoredObjectToken |= isObjectMember(Holder);
  }

  /// Puts back, where a guard temporary is destroyed, the state its
  /// construction found; false for a temporary whose construction is not
  /// in view, or that C++14 elides into a variable, whose own destructor
  /// puts the state back.  Where that state lacks the GIL, a note at the
  /// temporary tells why the guard did not last: `Gil();` is the classic
  /// guard with no name.
  bool restoreTemporary(const CXXBindTemporaryExpr *Temp, SourceLocation Loc,
                        GilState &St) {
    auto It = llvm::find_if(St.Tokens, [&](const Token &T) {
      return T.Holder == TokenHolder(Temp);
    });
    if (It == St.Tokens.end())
      return false;
    const Origin *Why = It->Why;
    if (notHeld(It->Before)) {
      // The first release, not an earlier temporary's, so that a loop of
      // them does not chain notes without end.
      const Origin *Earlier = Why && Why->Earlier ? Why->Earlier : Why;
      Why = origin(
          Temp, Loc,
          "the temporary " +
              quoted(Temp->getType().getAsString(Ctx->getPrintingPolicy())) +
              " made here puts back the state it found at the end "
              "of its full-expression: a guard lasts to the end of "
              "its scope only when it is named",
          Earlier);
    }
    St.set(It->Before, Why);
    return true;
  }

  bool needsGil(const FunctionDecl &Callee) const {
    if (const FunctionInfo *CI = info(&Callee))
      return CI->Sum.NeedsGil;
    if (const ExternalSummary *E = external(Callee))
      if (E->NeedsGil)
        return true;
    return apiNeedsGil(Callee) || annotationsOf(Callee).NeedsGil;
  }

  bool apiNeedsGil(const FunctionDecl &Callee) const {
    return pymemcheck::apiNeedsGil(Callee, Scope, Headers->declares(Callee));
  }

  /// Functions other translation units can call and summarise: C
  /// linkage, and not CPython's API (declared in its headers, or a
  /// function the rewrite knows by name), whatever the name; a project's
  /// own PyFoo_Helper is shared.
  bool isSharedFunction(const FunctionDecl &FD) const {
    if (!FD.getIdentifier() || !FD.isExternC() || findCall(FD.getName()) ||
        isTraceEntryPoint(FD.getName()))
      return false;
    for (const FunctionDecl *R : FD.redecls())
      if (Headers->contains(R->getLocation()))
        return false;
    return true;
  }

  /// What the other translation units say of Callee, if they were read.
  const ExternalSummary *external(const FunctionDecl &Callee) const {
    if (!Store || info(&Callee) || !isSharedFunction(Callee))
      return nullptr;
    return Store->find(Callee.getName());
  }

  /// The macros the user wrote around Loc, innermost first.  Code written
  /// in a macro's argument belongs to the code around the macro, not to
  /// the macro.
  llvm::SmallVector<llvm::StringRef, 2> macrosAround(SourceLocation Loc) const {
    llvm::SmallVector<llvm::StringRef, 2> Names;
    while (Loc.isMacroID()) {
      if (SM->isMacroArgExpansion(Loc)) {
        Loc = SM->getImmediateSpellingLoc(Loc);
        continue;
      }
      Names.push_back(Lexer::getImmediateMacroName(Loc, *SM, CI.getLangOpts()));
      Loc = SM->getImmediateExpansionRange(Loc).getBegin();
    }
    return Names;
  }

  /// What the user wrote at Loc: the outermost macro around it, or
  /// Fallback when the call there is written out.
  std::string writtenAs(SourceLocation Loc, llvm::StringRef Fallback) const {
    llvm::SmallVector<llvm::StringRef, 2> Macros = macrosAround(Loc);
    return (Macros.empty() ? Fallback : Macros.back()).str();
  }

  // ---- Pass 3: reports ----

  Finding callFinding(const NeedyCall &NC) {
    Finding F;
    F.Which = Check::GilCall;
    F.Loc = SM->getFileLoc(NC.Loc);
    F.Message = "call to " + quoted(nameOf(NC.Callee)) +
                " needs the GIL, but the GIL is " +
                (NC.At == Gil::Released ? "released here"
                                        : "released on some paths to here");
    if (NC.Why) {
      if (NC.Why->Earlier)
        F.Notes.push_back({NC.Why->Earlier->Loc, NC.Why->Earlier->Message});
      F.Notes.push_back({NC.Why->Loc, NC.Why->Message});
    }
    addChain(NC.Callee, F.Notes);
    addRawFixIt(NC, F);
    return F;
  }

  /// Variables whose fix-it was offered already: once is enough, and
  /// -fixit must not apply it twice.
  llvm::DenseSet<const VarDecl *> FixedVars;

  void addRawFixIt(const NeedyCall &NC, Finding &F) {
    const FunctionInfo *Caller = info(NC.Function);
    if (!NC.Call || !Caller || Caller->IsAllocator)
      return;
    std::vector<FixItHint> Hints;
    const VarDecl *V =
        rawFixIt(*NC.Function, *NC.Call, *Ctx, *Headers, Hints);
    if (!V || !FixedVars.insert(V).second)
      return;
    std::vector<std::string> Distinct;
    for (const FixItHint &H : Hints)
      if (llvm::find(Distinct, quoted(H.CodeToInsert)) == Distinct.end())
        Distinct.push_back(quoted(H.CodeToInsert));
    std::string Names;
    for (size_t I = 0; I != Distinct.size(); ++I)
      Names += (I == 0 ? "" : I + 1 == Distinct.size() ? " and " : ", ") +
               Distinct[I];
    F.FixIts = std::move(Hints);
    F.Notes.push_back({F.Loc, quoted(V->getName()) +
                                  " is allocated and freed only in this "
                                  "function: " +
                                  Names + " do not need the GIL"});
  }

  /// Notes from a helper that needs the GIL down to what needs it.
  void addChain(const FunctionDecl *FD, std::vector<FindingNote> &Notes) {
    llvm::DenseSet<const FunctionDecl *> Seen;
    while (const FunctionInfo *FI = info(FD)) {
      if (!Seen.insert(FI->FD).second)
        return;
      if (FI->Annotated.NeedsGil) {
        Notes.push_back(
            {annotationLoc(*FI->FD, "pymemcheck::needs_gil"),
             quoted(nameOf(FI->FD)) + " is declared PYMEMCHECK_NEEDS_GIL"});
        return;
      }
      if (!FI->Sum.NeedsCallee)
        return;
      Notes.push_back({SM->getFileLoc(FI->Sum.NeedsAt),
                       quoted(nameOf(FI->FD)) + " needs the GIL: it calls " +
                           quoted(nameOf(FI->Sum.NeedsCallee)) + " here"});
      FD = FI->Sum.NeedsCallee;
    }
    if (const ExternalSummary *E = FD ? external(*FD) : nullptr) {
      if (E->NeedsGil) {
        for (const std::string &Step : E->Chain)
          Notes.push_back({FD->getLocation(), Step});
        return;
      }
    }
    if (FD && !isGilAllocationApi(*FD) && annotationsOf(*FD).NeedsGil)
      Notes.push_back(
          {annotationLoc(*FD, "pymemcheck::needs_gil"),
           quoted(nameOf(FD)) + " is declared PYMEMCHECK_NEEDS_GIL"});
  }

  Finding returnFinding(const FunctionInfo &FI, const LostState &L) {
    Finding F;
    F.Which = Check::GilReturn;
    F.Loc = SM->getFileLoc(isa<ReturnStmt>(L.WayOut)
                               ? L.WayOut->getBeginLoc()
                               : L.WayOut->getEndLoc());
    F.Message = std::string("returning here leaves the GIL released") +
                (L.At == Gil::Released ? "" : " on some paths") +
                ": the thread state saved in " +
                quoted(L.Holder->getName()) + " is lost";
    if (L.Why)
      F.Notes.push_back({L.Why->Loc, L.Why->Message});
    std::string Restorer = restoringMacro(FI, L);
    if (!Restorer.empty())
      F.Notes.push_back({F.Loc, "take the GIL back with " + quoted(Restorer) +
                                    " before returning"});
    return F;
  }

  /// The macro that takes the GIL back before the return L, where the
  /// function releases with a pair of macros and the holder is in scope at
  /// L: Py_BLOCK_THREADS in a Py_BEGIN_ALLOW_THREADS block, whose end macro
  /// closes the block and so cannot precede a return inside it; else the
  /// macro the function restores the holder with elsewhere (numpy's
  /// NPY_END_THREADS), unless that one may close the block too.  Empty
  /// when there is none.
  std::string restoringMacro(const FunctionInfo &FI,
                             const LostState &L) const {
    const CompoundStmt *Scope = nullptr;
    if (!isa<ParmVarDecl>(L.Holder)) {
      Scope = enclosingScope(*L.Holder, *L.WayOut, FI.FD->getBody());
      if (!Scope)
        return "";
    }
    if (llvm::is_contained(macrosAround(L.Holder->getLocation()),
                           "Py_BEGIN_ALLOW_THREADS"))
      return "Py_BLOCK_THREADS";
    if (Scope && Scope->getRBracLoc().isMacroID())
      return "";
    auto Restore = FI.Saved.FirstRestore.find(L.Holder);
    if (Restore == FI.Saved.FirstRestore.end())
      return "";
    return writtenAs(Restore->second, "");
  }

  /// The block around S that declares V, or null when V is not in scope
  /// at S.
  static const CompoundStmt *enclosingScope(const VarDecl &V, const Stmt &S,
                                            Stmt *Body) {
    ParentMap Parents(Body);
    for (const Stmt *At = &S; At; At = Parents.getParent(At))
      if (auto *Block = dyn_cast<CompoundStmt>(At))
        for (const Stmt *Child : Block->body())
          if (auto *DS = dyn_cast<DeclStmt>(Child))
            if (llvm::is_contained(DS->decls(), &V))
              return Block;
    return nullptr;
  }

  Finding escapeFinding(const UsageFinder::Escape &E) {
    Finding F;
    F.Which = Check::GilEscape;
    F.Loc = SM->getFileLoc(E.Loc);
    F.Message = quoted(nameOf(E.Api)) +
                " needs the GIL, but it is passed here to " +
                quoted(nameOf(E.To)) +
                ", which may call it without the GIL";
    return F;
  }
};

/// While a precompiled header or module is built there is nothing to check:
/// each compile that uses it checks the functions it takes from it.  A
/// SARIF file asked for is an empty log.
class NoAnalysis : public ASTConsumer {
public:
  NoAnalysis(CompilerInstance &CI, const Options &Opts)
      : CI(CI), Levels(Opts.Levels),
        SarifPath(Opts.SarifPath) {}

  void HandleTranslationUnit(ASTContext &Context) override {
    FindingSink(CI.getDiagnostics(), Context.getSourceManager(),
                CI.getLangOpts(), Levels, SarifPath)
        .finish();
  }

private:
  CompilerInstance &CI;
  CheckLevels Levels;
  std::string SarifPath;
};


} // namespace

std::unique_ptr<ASTConsumer> createGilChecker(CompilerInstance &CI,
                                              const Options &Opts) {
  if (buildsAstFile(CI))
    return std::make_unique<NoAnalysis>(CI, Opts);
  return std::make_unique<GilChecker>(CI, Opts);
}

} // namespace pymemcheck
