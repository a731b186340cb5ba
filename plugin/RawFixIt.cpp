//===- RawFixIt.cpp - The Raw-domain fix-it of the GIL analysis ---------===//

#include "RawFixIt.h"

#include "CPythonHeaders.h"
#include "CallCatalog.h"
#include "GilModel.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace pymemcheck {

namespace {

/// The walk behind rawFixIt (RawFixIt.h), over one function's body.
class RawFixIt {
public:
  RawFixIt(const FunctionDecl &FD, ASTContext &Ctx,
           const CPythonHeaders &Headers)
      : Body(FD.getBody()), Ctx(Ctx), SM(Ctx.getSourceManager()),
        Headers(Headers), Parents(FD.getBody()) {}

  /// The variable holding the block Call allocates or frees, when the
  /// fix-it is safe; fills Hints.
  const VarDecl *compute(const CallExpr &Call,
                         std::vector<FixItHint> &Hints) {
    const FunctionDecl *Callee = Call.getDirectCallee();
    const CatalogEntry *Row = catalogRow(Callee);
    if (!Row || rawEquivalent(Row->Name).empty())
      return nullptr;
    const VarDecl *V = Row->Op == Operation::Free ? argumentVar(Call)
                                                  : destinationVar(Call);
    if (!V || !V->hasLocalStorage() || isa<ParmVarDecl>(V) ||
        !V->getType()->isPointerType())
      return nullptr;
    Family Fam = Row->Fam;
    std::vector<const CallExpr *> Calls;
    if (const Expr *Init = V->getInit())
      if (!blockSource(Init, Fam, Calls))
        return nullptr;
    Uses.clear();
    collectUses(Body, V);
    for (const DeclRefExpr *Use : Uses)
      if (!allowedUse(Use, V, Fam, Calls))
        return nullptr;
    bool Allocates = false, Frees = false;
    for (const CallExpr *C : Calls) {
      auto *Ref = dyn_cast<DeclRefExpr>(C->getCallee()->IgnoreParenImpCasts());
      if (!Ref || !Ref->getLocation().isFileID())
        return nullptr;
      const CatalogEntry *CallRow = catalogRow(Ref->getDecl());
      (CallRow->Op == Operation::Free ? Frees : Allocates) = true;
      Hints.push_back(FixItHint::CreateReplacement(
          Ref->getSourceRange(), rawEquivalent(CallRow->Name)));
    }
    return Allocates && Frees ? V : nullptr;
  }

private:
  const Stmt *Body;
  ASTContext &Ctx;
  const SourceManager &SM;
  const CPythonHeaders &Headers;
  ParentMap Parents;
  std::vector<const DeclRefExpr *> Uses;

  static const CatalogEntry *catalogRow(const Decl *D) {
    auto *FD = dyn_cast_or_null<FunctionDecl>(D);
    if (!FD || !FD->getIdentifier() || !isGilAllocationApi(*FD))
      return nullptr;
    const CatalogEntry *Row = findCall(FD->getName());
    return Row ? Row : findTraceCall(FD->getName());
  }

  static const VarDecl *refVar(const Expr *E) {
    if (auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenCasts()))
      return dyn_cast<VarDecl>(DRE->getDecl());
    return nullptr;
  }

  /// The argument that holds the block: the first, or the first after
  /// the file and line in a call the rewrite made.
  static const Expr *blockArgument(const CallExpr &Call) {
    const FunctionDecl *Callee = Call.getDirectCallee();
    unsigned I = Callee && Callee->getIdentifier() &&
                         isTraceEntryPoint(Callee->getName())
                     ? 2
                     : 0;
    return I < Call.getNumArgs() ? Call.getArg(I) : nullptr;
  }

  /// True when Callee is the C library's (or the trace entry point the
  /// rewrite put in place of a C library call) and uses a block only while
  /// it runs.  The C library's free and realloc take the block: a Python
  /// block there is a bug the Raw family would not cure.
  bool isCLibrary(const FunctionDecl &Callee) const {
    if (!Callee.getIdentifier())
      return false;
    const CatalogEntry *Row = findCall(Callee.getName());
    if (!Row)
      Row = findTraceCall(Callee.getName());
    if (Row)
      return Row->Fam == Family::Libc && Row->Op != Operation::Free &&
             Row->Op != Operation::Realloc &&
             Row->Op != Operation::Reallocarray;
    return SM.isInSystemHeader(Callee.getLocation()) &&
           !Headers.declares(Callee);
  }

  static const VarDecl *argumentVar(const CallExpr &Call) {
    const Expr *Block = blockArgument(Call);
    return Block ? refVar(Block) : nullptr;
  }

  const VarDecl *destinationVar(const CallExpr &Call) {
    const Stmt *P = Parents.getParentIgnoreParenCasts(&Call);
    if (auto *BO = dyn_cast_or_null<BinaryOperator>(P))
      return BO->getOpcode() == BO_Assign ? refVar(BO->getLHS()) : nullptr;
    if (auto *DS = dyn_cast_or_null<DeclStmt>(P))
      for (const Decl *D : DS->decls())
        if (auto *V = dyn_cast<VarDecl>(D))
          if (V->getInit() &&
              V->getInit()->IgnoreParenCasts() == &Call)
            return V;
    return nullptr;
  }

  void collectUses(const Stmt *S, const VarDecl *V) {
    if (!S)
      return;
    if (auto *DRE = dyn_cast<DeclRefExpr>(S))
      if (DRE->getDecl() == V)
        Uses.push_back(DRE);
    for (const Stmt *Child : S->children())
      collectUses(Child, V);
  }

  /// A value stored into the variable: null, or a block of family Fam.
  bool blockSource(const Expr *E, Family Fam,
                   std::vector<const CallExpr *> &Calls) {
    E = E->IgnoreParenCasts();
    if (E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull))
      return true;
    auto *CE = dyn_cast<CallExpr>(E);
    const CatalogEntry *Row = CE ? catalogRow(CE->getDirectCallee()) : nullptr;
    if (!Row || Row->Fam != Fam || Row->Op == Operation::Free)
      return false;
    if (Row->Op == Operation::Realloc)
      return true; // counted where its first argument is a use
    Calls.push_back(CE);
    return true;
  }

  bool allowedUse(const DeclRefExpr *Use, const VarDecl *V, Family Fam,
                  std::vector<const CallExpr *> &Calls) {
    const Stmt *Child = Use;
    const Stmt *P = Parents.getParent(Use);
    while (P && (isa<ParenExpr>(P) || isa<CastExpr>(P))) {
      Child = P;
      P = Parents.getParent(P);
    }
    if (!P)
      return false;
    if (auto *CE = dyn_cast<CallExpr>(P)) {
      if (CE->getCallee()->IgnoreParenImpCasts() == Child)
        return false;
      if (const CatalogEntry *Row = catalogRow(CE->getDirectCallee())) {
        if (Row->Fam != Fam || blockArgument(*CE) != Child)
          return false;
        if (Row->Op == Operation::Realloc &&
            destinationVar(*CE) != V)
          return false;
        Calls.push_back(CE);
        return true;
      }
      // The C library reads and writes blocks it is given, and keeps none.
      const FunctionDecl *Callee = CE->getDirectCallee();
      return Callee && isCLibrary(*Callee);
    }
    if (auto *BO = dyn_cast<BinaryOperator>(P)) {
      if (BO->getOpcode() == BO_Assign)
        return BO->getLHS() == Child && blockSource(BO->getRHS(), Fam, Calls);
      return BO->isComparisonOp() || BO->isLogicalOp();
    }
    if (auto *UO = dyn_cast<UnaryOperator>(P))
      return UO->getOpcode() == UO_Deref || UO->getOpcode() == UO_LNot;
    if (auto *ASE = dyn_cast<ArraySubscriptExpr>(P))
      return ASE->getBase()->IgnoreParenImpCasts() ==
             cast<Expr>(Child)->IgnoreParenImpCasts();
    if (auto *ME = dyn_cast<MemberExpr>(P))
      return ME->isArrow();
    if (auto *CO = dyn_cast<ConditionalOperator>(P))
      return CO->getCond() == Child;
    return isa<IfStmt>(P) || isa<WhileStmt>(P);
  }
};

} // namespace

const VarDecl *rawFixIt(const FunctionDecl &FD, const CallExpr &Call,
                        ASTContext &Ctx, const CPythonHeaders &Headers,
                        std::vector<FixItHint> &Hints) {
  return RawFixIt(FD, Ctx, Headers).compute(Call, Hints);
}

} // namespace pymemcheck
