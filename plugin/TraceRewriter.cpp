//===- TraceRewriter.cpp - Rewrite allocation calls into trace calls -----===//
//
// The rewrite runs in the consumer that sits before CodeGen's: each decl
// group is rewritten in HandleTopLevelDecl before CodeGen emits it, C++
// in-class methods in HandleInlineFunctionDefinition, and functions read
// from a precompiled header in HandleInterestingDecl (which the default
// implementation forwards to HandleTopLevelDecl).
//
// A call is replaced in its parent's child slot by a call that Sema builds
// (BuildDeclRefExpr + BuildCallExpr), so every conversion is the one Sema
// would have made for the same call written by hand.  The new call reuses
// the old call's arguments and source locations.  Anything the rewrite
// cannot replace safely is left as it was, with a remark when asked.
//
//===----------------------------------------------------------------------===//

#include "TraceRewriter.h"

#include "AstFile.h"
#include "CallCatalog.h"
#include "Compat.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Mangle.h"
#include "clang/AST/OpenMPClause.h"
#include "clang/AST/Stmt.h"
#include "clang/AST/StmtOpenMP.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendOptions.h"
#include "clang/Sema/Sema.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallString.h"

#include <string>
#include <vector>

using namespace clang;

namespace pymemcheck {

namespace {

/// The file and line a trace call carries.
struct CallSite {
  llvm::SmallString<256> File;
  unsigned Line = 0;
};

/// The trace entry point chosen for a catalog row, or why there is none.
struct TraceTarget {
  FunctionDecl *Decl = nullptr;
  std::string WhyNot;
  /// The user's declaration that took the entry point's name, if any.
  const NamedDecl *Conflict = nullptr;
};

class TraceRewriter : public ASTConsumer {
public:
  TraceRewriter(CompilerInstance &CI, Options Opts)
      : CI(CI), Opts(std::move(Opts)), Diags(CI.getDiagnostics()) {}

  void Initialize(ASTContext &Context) override {
    Ctx = &Context;
    SM = &Context.getSourceManager();
  }

  bool HandleTopLevelDecl(DeclGroupRef DG) override {
    for (Decl *D : DG)
      handleDecl(D);
    // Returning false would hide the group from CodeGen.
    return true;
  }

  void HandleInlineFunctionDefinition(FunctionDecl *FD) override {
    handleFunction(FD);
  }

  void HandleCXXStaticMemberVarInstantiation(VarDecl *VD) override {
    handleVar(VD);
  }

  void HandleTagDeclDefinition(TagDecl *D) override {
    // A class template's default member initializers are instantiated
    // when a constructor first needs them, after the class: look at them
    // at the end, before CodeGen emits the (deferred) constructors.
    if (auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(D))
      if (!Spec->isDependentContext())
        Instantiations.push_back(Spec);
  }

  void HandleTranslationUnit(ASTContext &) override {
    if (hadErrors())
      return;
    for (size_t I = 0; I != Instantiations.size(); ++I)
      walkMemberInitializers(Instantiations[I]);
  }

private:
  CompilerInstance &CI;
  const Options Opts;
  DiagnosticsEngine &Diags;
  ASTContext *Ctx = nullptr;
  SourceManager *SM = nullptr;

  /// The catalog row each callee name is, or null; looked up once per name.
  llvm::DenseMap<const IdentifierInfo *, const CatalogEntry *> RowOfName;
  llvm::DenseMap<const CatalogEntry *, TraceTarget> Targets;
  /// Functions and variables already walked (a decl can arrive twice).
  llvm::DenseSet<const Decl *> Walked;
  /// Each call rewritten and its replacement, for calls found twice (an
  /// initializer list's syntactic and semantic forms share nodes).
  llvm::DenseMap<const CallExpr *, Expr *> Replaced;
  /// The loops OpenMP directives distribute (see visitOpenMP).
  llvm::DenseSet<const Stmt *> OpenMPLoops;
  /// Class template instantiations, whose default member initializers are
  /// walked at the end of the translation unit.
  std::vector<CXXRecordDecl *> Instantiations;
  /// Where a call was said not to be rewritten: a call reached through
  /// several uses (a default argument's copies) is reported once.
  llvm::DenseSet<unsigned> Remarked;
  unsigned NotRewrittenID = 0, AddressTakenID = 0, DeclaredHereID = 0;

  // ---- What to walk ----

  /// After an error there will be no object file: the AST is left as the
  /// parser made it.
  bool hadErrors() const { return Diags.hasUncompilableErrorOccurred(); }

  void handleDecl(Decl *D) {
    if (D->isInvalidDecl() || hadErrors())
      return;
    checkLateEntryPointName(D);
    if (auto *FD = dyn_cast<FunctionDecl>(D))
      return handleFunction(FD);
    if (auto *VD = dyn_cast<VarDecl>(D))
      return handleVar(VD);
    if (auto *RD = dyn_cast<CXXRecordDecl>(D))
      return handleRecord(RD);
    if (isa<NamespaceDecl>(D) || isa<LinkageSpecDecl>(D) || isa<ExportDecl>(D))
      for (Decl *Member : cast<DeclContext>(D)->decls())
        handleDecl(Member);
  }

  bool skippedAsSystem(const Decl *D) const {
    return !Opts.SystemHeaders && SM->isInSystemHeader(D->getLocation());
  }

  /// The function whose name decides for FD: a lambda's call operator
  /// (a generic lambda's instantiations come on their own) belongs to the
  /// function the lambda is written in.
  static const FunctionDecl *namedFunction(const FunctionDecl *FD) {
    while (const auto *Method = dyn_cast<CXXMethodDecl>(FD)) {
      if (!Method->getParent()->isLambda())
        break;
      const auto *Outer =
          dyn_cast<FunctionDecl>(Method->getParent()->getDeclContext());
      if (!Outer)
        break;
      FD = Outer;
    }
    return FD;
  }

  bool excludedFunction(const FunctionDecl *FD) const {
    FD = namedFunction(FD);
    if (FD->getIdentifier() && isTraceEntryPoint(FD->getName()))
      return true; // The runtime's own trace entry points never trace.
    if (Opts.ExcludeFunctions.empty())
      return false;
    std::string Name = FD->getQualifiedNameAsString();
    for (const auto &P : Opts.ExcludeFunctions)
      if (P->match(Name))
        return true;
    return false;
  }

  void handleFunction(FunctionDecl *FD) {
    // Template patterns are dependent; their instantiations arrive here
    // on their own.
    if (FD->isInvalidDecl() || hadErrors() || FD->isDependentContext() ||
        skippedAsSystem(FD) || excludedFunction(FD))
      return;
    if (!Walked.insert(FD).second)
      return;
    walkDefaultArguments(FD);
    if (!FD->doesThisDeclarationHaveABody())
      return;
    if (auto *Ctor = dyn_cast<CXXConstructorDecl>(FD))
      for (CXXCtorInitializer *Init : Ctor->inits())
        if (Init->getInit())
          walkWithoutSlot(Init->getInit(),
                          "it is the whole initializer of a member or base");
    // CodeGen evaluates the array sizes of the parameters' types as
    // written when the function is entered.
    for (ParmVarDecl *P : FD->parameters())
      visitVariablyModifiedType(P->getOriginalType());
    if (Stmt *Body = FD->getBody())
      walkBody(Body);
  }

  void walkDefaultArguments(FunctionDecl *FD) {
    for (ParmVarDecl *P : FD->parameters())
      walkDefaultArgument(P);
  }

  /// A default argument is walked once, where its function is declared or
  /// where a call first uses it: a template's default argument is only
  /// instantiated there, and that call may be emitted before the template.
  void walkDefaultArgument(ParmVarDecl *P) {
    if (!P->hasDefaultArg() || P->hasUnparsedDefaultArg() ||
        P->hasUninstantiatedDefaultArg())
      return;
    if (const auto *FD = dyn_cast<FunctionDecl>(P->getDeclContext()))
      if (excludedFunction(FD))
        return;
    walkInitializerOnce(P);
  }

  void handleVar(VarDecl *VD) {
    if (VD->isInvalidDecl() || hadErrors() || !VD->hasInit() ||
        VD->isTemplated() ||
        VD->getDeclContext()->isDependentContext() || skippedAsSystem(VD))
      return;
    walkInitializerOnce(VD);
  }

  /// A variable's initializer or a parameter's default argument, through
  /// its slot, the first time only.
  void walkInitializerOnce(VarDecl *VD) {
    if (!Walked.insert(VD).second)
      return;
    if (Stmt **Slot = VD->getInitAddress())
      visit(*Slot);
  }

  void handleRecord(CXXRecordDecl *RD) {
    if (!RD->isThisDeclarationADefinition() || RD->isDependentContext() ||
        skippedAsSystem(RD))
      return;
    if (!Walked.insert(RD).second)
      return;
    walkMemberInitializers(RD);
    for (Decl *Member : RD->decls()) {
      if (auto *VD = dyn_cast<VarDecl>(Member)) {
        handleVar(VD);
      } else if (auto *Nested = dyn_cast<CXXRecordDecl>(Member)) {
        handleRecord(Nested);
      } else if (auto *Method = dyn_cast<CXXMethodDecl>(Member)) {
        // Bodies come through HandleInlineFunctionDefinition; default
        // arguments are part of the declaration.
        if (!Method->isDependentContext())
          walkDefaultArguments(Method);
      }
    }
  }

  void walkMemberInitializers(CXXRecordDecl *RD) {
    if (skippedAsSystem(RD))
      return;
    for (FieldDecl *Field : RD->fields())
      walkMemberInitializer(Field);
  }

  /// A default member initializer is walked once, where the class is, or
  /// where a constructor or an aggregate initialization first uses it
  /// (a class read from a precompiled header has no other occasion).
  void walkMemberInitializer(FieldDecl *Field) {
    if (!Field->hasInClassInitializer() || skippedAsSystem(Field))
      return;
    Expr *Init = Field->getInClassInitializer();
    if (!Init || !Walked.insert(Field).second)
      return;
    // Some versions of clang read a default member initializer afresh from
    // a precompiled header each time it is asked for: a rewrite of one copy
    // would not reach the copy CodeGen emits.
    if (Field->isFromASTFile() && Field->getInClassInitializer() != Init)
      return reportCallsIn(Init, "clang reads this default member initializer "
                                 "afresh from the precompiled header at each "
                                 "use");
    walkWithoutSlot(Init, "it is the whole default member initializer");
  }

  /// The member initializers of a constructor that clang wrote itself
  /// (implicit or defaulted), which no consumer callback shows.
  void walkImplicitConstructor(CXXConstructorDecl *Ctor) {
    if (!Ctor->isImplicit() && !Ctor->isDefaulted())
      return;
    if (!Ctor->doesThisDeclarationHaveABody() || !Walked.insert(Ctor).second)
      return;
    for (CXXCtorInitializer *Init : Ctor->inits())
      if (Expr *E = Init->getInit())
        if (auto *Default = dyn_cast<CXXDefaultInitExpr>(E->IgnoreImplicit()))
          visitDefaultInit(Default);
  }

  /// Not a child: the field's own initializer, or the copy of it made for
  /// this use, which is what CodeGen emits.
  void visitDefaultInit(CXXDefaultInitExpr *E) {
    if (Expr *Copy = copyForUse(E, E->getField()->getInClassInitializer()))
      return walkWithoutSlot(Copy, "it is the whole default member "
                                   "initializer, which clang copies for each "
                                   "use");
    walkMemberInitializer(E->getField());
  }

  /// The copy of a default argument or default member initializer that
  /// CodeGen emits for the use E instead of the declaration's own, Own.
  template <class DefaultExpr>
  static Expr *copyForUse(DefaultExpr *E, const Expr *Own) {
    Expr *Copy = compat::rewrittenInit(E);
    return Copy != Own ? Copy : nullptr;
  }

  /// Walks a body (a compound statement or a function try block), which is
  /// never itself a call.
  void walkBody(Stmt *Body) {
    Stmt *Slot = Body;
    visit(Slot);
  }

  /// Walks the expression S, whose own slot cannot be assigned: if S
  /// itself would be rewritten, say so instead.
  void walkWithoutSlot(Stmt *S, const char *Why) {
    Stmt *Slot = S;
    visit(Slot);
    if (Slot != S)
      if (auto *CE = dyn_cast<CallExpr>(S))
        notRewritten(CE->getBeginLoc(), CE->getDirectCallee(),
                     std::string("there is no slot to put it in: ") + Why);
  }

  // ---- The walk ----

  /// Visits the statement in Slot and everything below it, rewriting
  /// catalog calls in place.  Operands that are never evaluated (sizeof,
  /// _Generic's selector, noexcept, typeid of a non-polymorphic operand)
  /// are left alone.
  void visit(Stmt *&Slot) {
    Stmt *S = Slot;
    if (!S)
      return;
    switch (S->getStmtClass()) {
    case Stmt::CallExprClass:
      return visitCall(Slot, cast<CallExpr>(S));
    case Stmt::DeclRefExprClass:
      return visitDeclRef(cast<DeclRefExpr>(S));
    case Stmt::UnaryExprOrTypeTraitExprClass: {
      // sizeof and friends do not evaluate their operand, except sizeof of
      // a variable-length array: its operand, or the sizes in its type.
      auto *E = cast<UnaryExprOrTypeTraitExpr>(S);
      if (E->getKind() != UETT_SizeOf ||
          !E->getTypeOfArgument()->isVariableArrayType())
        return;
      if (E->isArgumentType())
        return visitVariablyModifiedType(E->getArgumentType());
      break;
    }
    case Stmt::DeclStmtClass:
      // Its children miss the sizes of a pointer to a VLA.
      for (Decl *D : cast<DeclStmt>(S)->decls()) {
        if (D->isLocalExternDecl())
          checkLocalEntryPointName(cast<NamedDecl>(D));
        if (auto *TD = dyn_cast<TypedefNameDecl>(D)) {
          visitVariablyModifiedType(TD->getUnderlyingType());
        } else if (auto *VD = dyn_cast<VarDecl>(D)) {
          visitVariablyModifiedType(VD->getType());
          if (Stmt **Init = VD->getInitAddress())
            visit(*Init);
        }
      }
      return;
    case Stmt::CStyleCastExprClass:
    case Stmt::CompoundLiteralExprClass:
      visitVariablyModifiedType(cast<Expr>(S)->getType());
      break;
    case Stmt::GenericSelectionExprClass: {
      // Only the selected association is evaluated; the controlling
      // expression and the others are not.
      auto *E = cast<GenericSelectionExpr>(S);
      if (E->isResultDependent())
        return;
      const Expr *Result = E->getResultExpr();
      for (Stmt *&Child : S->children())
        if (Child == Result)
          visit(Child);
      return;
    }
    case Stmt::ChooseExprClass: {
      auto *E = cast<ChooseExpr>(S);
      if (E->isConditionDependent())
        return;
      const Expr *Chosen = E->getChosenSubExpr();
      for (Stmt *&Child : S->children())
        if (Child == Chosen)
          visit(Child);
      return;
    }
    case Stmt::CXXTypeidExprClass:
      if (cast<CXXTypeidExpr>(S)->isPotentiallyEvaluated())
        break;
      return;
    case Stmt::RecoveryExprClass: // what is left of an invalid expression
    case Stmt::CXXNoexceptExprClass:
    case Stmt::CXXUuidofExprClass:
    case Stmt::TypeTraitExprClass:
    case Stmt::ArrayTypeTraitExprClass:
    case Stmt::ExpressionTraitExprClass:
    case Stmt::RequiresExprClass:
    case Stmt::ConceptSpecializationExprClass:
      return;
    case Stmt::BlockExprClass:
      // A block's body is not one of its children.
      if (Stmt *Body = cast<BlockExpr>(S)->getBlockDecl()->getBody())
        walkBody(Body);
      return;
    case Stmt::LambdaExprClass: {
      auto *E = cast<LambdaExpr>(S);
      // A generic lambda's body is a template pattern; its instantiations
      // arrive through HandleTopLevelDecl.
      if (E->getCallOperator()->isDependentContext()) {
        const Stmt *Body = E->getBody();
        for (Stmt *&Child : S->children())
          if (Child != Body)
            visit(Child);
        return;
      }
      break;
    }
    case Stmt::CXXDefaultArgExprClass: {
      // Not a child: the parameter's own default argument, or the copy of
      // it made for this use, which is what CodeGen emits.
      auto *E = cast<CXXDefaultArgExpr>(S);
      if (Expr *Copy = copyForUse(E, E->getParam()->getInit()))
        return walkWithoutSlot(Copy, "it is the whole default argument, "
                                     "which clang copies for each use");
      return walkDefaultArgument(E->getParam());
    }
    case Stmt::CXXDefaultInitExprClass:
      return visitDefaultInit(cast<CXXDefaultInitExpr>(S));
    case Stmt::CXXConstructExprClass:
    case Stmt::CXXTemporaryObjectExprClass:
      if (auto *Ctor = cast<CXXConstructExpr>(S)->getConstructor())
        walkImplicitConstructor(Ctor);
      break;
    case Stmt::InitListExprClass:
      // CodeGen reads the semantic form; the syntactic one, which
      // -ast-print and tools read, gets the same replacements.
      for (Stmt *&Child : S->children())
        visit(Child);
      if (InitListExpr *Syntactic = cast<InitListExpr>(S)->getSyntacticForm())
        for (Stmt *&Child : Syntactic->children())
          visit(Child);
      return;
    case Stmt::CapturedStmtClass:
      return visitCaptured(cast<CapturedStmt>(S));
    case Stmt::ForStmtClass:
    case Stmt::CXXForRangeStmtClass:
      if (OpenMPLoops.count(S))
        return visitOpenMPLoop(S);
      break;
    case Stmt::PseudoObjectExprClass:
      // Its semantic form evaluates its operands through opaque values,
      // whose sources are not children: replacing a call there would
      // leave the evaluated copy untouched.
      reportCallsIn(S, "it is an operand of a pseudo-object expression");
      return;
    default:
      if (auto *D = dyn_cast<OMPExecutableDirective>(S))
        return visitOpenMP(D);
      break;
    }
    for (Stmt *&Child : S->children())
      visit(Child);
  }

  /// The statement of an OpenMP region is not a child of its CapturedStmt.
  /// CodeGen reads it both from there and from the CapturedDecl, and only
  /// the latter can be assigned: a call that is the whole statement stays.
  void visitCaptured(CapturedStmt *CS) {
    for (Stmt *&Child : CS->children())
      visit(Child);
    walkWithoutSlot(CS->getCapturedStmt(),
                    "it is the whole statement of an OpenMP region");
  }

  /// An OpenMP directive's statement is rewritten in place.  Its clauses
  /// and the headers of the loops it distributes are evaluated through
  /// expressions Sema builds from them (captured copies, pre-init
  /// declarations, iteration helpers), which a rewrite of the written
  /// expression would not reach.
  void visitOpenMP(OMPExecutableDirective *D) {
    const char *InClause = "it is in an OpenMP clause, which OpenMP "
                           "evaluates through copies";
    for (OMPClause *C : D->clauses()) {
      for (Stmt *Child : C->children())
        reportCallsIn(Child, InClause);
      if (OMPClauseWithPreInit *Pre = OMPClauseWithPreInit::get(C))
        reportCallsIn(Pre->getPreInitStmt(), InClause);
    }
    if (auto *Loops = dyn_cast<OMPLoopBasedDirective>(D))
      OMPLoopBasedDirective::doForAllLoops(
          D->getRawStmt(), /*TryImperfectlyNestedLoops=*/true,
          Loops->getLoopsNumber(), [this](unsigned, Stmt *Loop) {
            OpenMPLoops.insert(Loop);
            return false;
          });
    for (Stmt *&Child : D->children())
      visit(Child);
  }

  /// A loop an OpenMP directive distributes: its body is rewritten, its
  /// header is evaluated through OpenMP's iteration helpers.
  void visitOpenMPLoop(Stmt *Loop) {
    const Stmt *Body = isa<ForStmt>(Loop) ? cast<ForStmt>(Loop)->getBody()
                                          : cast<CXXForRangeStmt>(Loop)->getBody();
    for (Stmt *&Child : Loop->children()) {
      if (Child == Body)
        visit(Child);
      else
        reportCallsIn(Child, "it is in the header of an OpenMP loop, which "
                             "OpenMP evaluates through copies");
    }
  }

  /// Visits the array sizes CodeGen evaluates where a variably modified
  /// type is written (a declaration, a cast, sizeof, a parameter), in the
  /// order it evaluates them.  A typedef's sizes were evaluated where it
  /// was declared.
  void visitVariablyModifiedType(QualType T) {
    while (!T.isNull() && T->isVariablyModifiedType()) {
      const Type *Ty = T.getTypePtr();
      if (isa<TypedefType>(Ty) || isa<DecltypeType>(Ty) ||
          isa<DeducedType>(Ty)) {
        return;
      } else if (const auto *VLA = dyn_cast<VariableArrayType>(Ty)) {
        // The iterator is the one way to the size expression's slot.
        if (VLA->getSizeExpr())
          visit(*StmtIterator(VLA));
        T = VLA->getElementType();
      } else if (const auto *Array = dyn_cast<ArrayType>(Ty)) {
        T = Array->getElementType();
      } else if (isa<PointerType>(Ty) || isa<BlockPointerType>(Ty) ||
                 isa<ReferenceType>(Ty) || isa<MemberPointerType>(Ty)) {
        T = Ty->getPointeeType();
      } else if (const auto *Function = dyn_cast<FunctionType>(Ty)) {
        T = Function->getReturnType();
      } else if (const auto *Atomic = dyn_cast<AtomicType>(Ty)) {
        T = Atomic->getValueType();
      } else if (const auto *TypeOf = dyn_cast<TypeOfExprType>(Ty)) {
        // CodeGen evaluates the operand for its sizes.  The operand is never
        // a catalog call itself (no function returns a variably modified
        // type), so its own slot is never needed.
        Stmt *Operand = TypeOf->getUnderlyingExpr();
        return visit(Operand);
      } else {
        QualType Next = T.getSingleStepDesugaredType(*Ctx);
        if (Next == T)
          return;
        T = Next;
      }
    }
  }

  /// The reference a direct call names its callee with: f(...), (f)(...),
  /// (*f)(...), (&f)(...).
  static DeclRefExpr *directCalleeRef(Expr *Callee) {
    Expr *E = Callee->IgnoreParenImpCasts();
    while (auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_Deref && UO->getOpcode() != UO_AddrOf)
        break;
      E = UO->getSubExpr()->IgnoreParenImpCasts();
    }
    return dyn_cast<DeclRefExpr>(E);
  }

  const CatalogEntry *rowOf(const FunctionDecl *FD) {
    const IdentifierInfo *II = FD->getIdentifier();
    if (!II)
      return nullptr;
    auto Found = RowOfName.try_emplace(II, nullptr);
    if (Found.second)
      Found.first->second = findCall(libraryName(FD));
    return Found.first->second;
  }

  /// The name of the C library function FD is.  A library builtin
  /// (__builtin_malloc) is the function without its prefix: CodeGen emits
  /// the very same call for both.
  llvm::StringRef libraryName(const FunctionDecl *FD) const {
    llvm::StringRef Name = FD->getName();
    const llvm::StringRef Prefix = "__builtin_";
    unsigned ID = FD->getBuiltinID();
    if (ID && Ctx->BuiltinInfo.isLibFunction(ID) &&
        compat::startsWith(Name, Prefix))
      return Name.drop_front(Prefix.size());
    return Name;
  }

  void visitCall(Stmt *&Slot, CallExpr *CE) {
    Expr *CalleeExpr = CE->getCallee();
    DeclRefExpr *Ref = directCalleeRef(CalleeExpr);
    auto *Callee = Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
    for (Stmt *&Child : CE->children()) {
      // A callee named directly is not an address taken.
      if (Callee && Child == CalleeExpr)
        continue;
      visit(Child);
    }
    if (!Callee)
      return;
    if (const CatalogEntry *Row = rowOf(Callee))
      rewriteCall(Slot, CE, Callee, Ref->getLocation(), *Row);
  }

  void visitDeclRef(DeclRefExpr *Ref) {
    if (!Opts.Remarks)
      return;
    auto *FD = dyn_cast<FunctionDecl>(Ref->getDecl());
    if (!FD || !FD->isExternC())
      return;
    const CatalogEntry *Row = rowOf(FD);
    if (!Row || !Opts.traces(Row->Fam) || inSkippedSystemCode(Ref->getLocation()))
      return;
    if (!AddressTakenID)
      AddressTakenID = Diags.getCustomDiagID(
          DiagnosticsEngine::Remark,
          "pymemcheck: %0 is used as a value here, not called; calls through "
          "it are not traced");
    Diags.Report(Ref->getLocation(), AddressTakenID) << FD;
  }

  /// Remarks every catalog call below S, which the walk does not enter.
  void reportCallsIn(Stmt *S, const char *Why) {
    if (!S || !Opts.Remarks)
      return;
    if (auto *CE = dyn_cast<CallExpr>(S))
      if (DeclRefExpr *Ref = directCalleeRef(CE->getCallee()))
        if (auto *FD = dyn_cast<FunctionDecl>(Ref->getDecl()))
          if (const CatalogEntry *Row = rowOf(FD))
            if (FD->isExternC() && Opts.traces(Row->Fam) &&
                !inSkippedSystemCode(Ref->getLocation()))
              notRewritten(CE->getBeginLoc(), FD, Why);
    if (auto *POE = dyn_cast<PseudoObjectExpr>(S)) {
      // The syntactic form is the call as written.
      reportCallsIn(POE->getSyntacticForm(), Why);
      return;
    }
    if (auto *OVE = dyn_cast<OpaqueValueExpr>(S)) {
      reportCallsIn(OVE->getSourceExpr(), Why);
      return;
    }
    for (Stmt *Child : S->children())
      reportCallsIn(Child, Why);
  }

  // ---- One call ----

  bool inSkippedSystemCode(SourceLocation Loc) const {
    // A call written in user code through a system macro (PyMem_New from
    // Python.h) belongs to the user: look at where the macro was expanded.
    return !Opts.SystemHeaders && SM->isInSystemHeader(SM->getExpansionLoc(Loc));
  }

  void rewriteCall(Stmt *&Slot, CallExpr *CE, FunctionDecl *Callee,
                   SourceLocation NameLoc, const CatalogEntry &Row) {
    auto Done = Replaced.find(CE);
    if (Done != Replaced.end()) {
      Slot = Done->second;
      return;
    }
    if (!Opts.traces(Row.Fam) || inSkippedSystemCode(NameLoc))
      return;
    // Only CallExprs proper (not operator calls, CUDA launches, ...), and
    // only well-formed ones.
    if (CE->getStmtClass() != Stmt::CallExprClass || CE->containsErrors())
      return;
    if (!Callee->isExternC()) {
      // A method or a namespace member of that name is another function
      // altogether; a static or C++-linkage one at file scope deserves a
      // word.
      if (Callee->getDeclContext()->isFileContext())
        notRewritten(CE->getBeginLoc(), Callee,
                     "it is not the external C function of that name");
      return;
    }
    if (!hasCatalogSignature(Callee, Row, /*SiteParams=*/0))
      return notRewritten(CE->getBeginLoc(), Callee,
                          "it is declared with a type other than the one "
                          "pymemcheck expects for it");
    CallSite Site;
    if (!callSite(NameLoc, Site))
      return notRewritten(CE->getBeginLoc(), Callee,
                          "its file and line are unknown");
    for (const auto &P : Opts.ExcludeFiles)
      if (P->match(Site.File))
        return;
    TraceTarget &Target = traceTarget(Row, Callee, CE->getBeginLoc());
    if (!Target.Decl)
      return notRewritten(CE->getBeginLoc(), Callee, Target.WhyNot,
                          Target.Conflict);
    if (Expr *New = buildTraceCall(CE, Target.Decl, Site)) {
      Replaced[CE] = New;
      Slot = New;
    } else
      notRewritten(CE->getBeginLoc(), Callee,
                   "Sema could not build the trace call");
  }

  void notRewritten(SourceLocation Loc, const FunctionDecl *Callee,
                    llvm::StringRef Why, const NamedDecl *Culprit = nullptr) {
    if (!Opts.Remarks || !Callee || !Remarked.insert(Loc.getRawEncoding()).second)
      return;
    if (!NotRewrittenID)
      NotRewrittenID = Diags.getCustomDiagID(
          DiagnosticsEngine::Remark,
          "pymemcheck: call to %0 not rewritten: %1");
    Diags.Report(Loc, NotRewrittenID) << Callee << Why;
    if (Culprit) {
      if (!DeclaredHereID)
        DeclaredHereID = Diags.getCustomDiagID(
            DiagnosticsEngine::Note, "pymemcheck: %0 is declared here");
      Diags.Report(Culprit->getLocation(), DeclaredHereID) << Culprit;
    }
  }

  /// A declaration that takes the name of a trace entry point that calls
  /// above were already rewritten to, after CodeGen emitted them: in the
  /// object file those calls would reach it.  They cannot be taken back,
  /// so the compile must not produce that object.
  void checkLateEntryPointName(Decl *D) {
    auto *ND = dyn_cast<NamedDecl>(D);
    const CatalogEntry *Row = ND ? entryPointNamesake(*ND) : nullptr;
    if (!Row)
      return;
    auto Found = Targets.find(Row);
    if (Found == Targets.end() || !Found->second.Decl ||
        !Found->second.Decl->isImplicit())
      return;
    auto *FD = dyn_cast<FunctionDecl>(ND);
    if (FD && FD->isExternC() && hasCatalogSignature(FD, *Row, 2))
      return;
    Diags.Report(ND->getLocation(),
                 Diags.getCustomDiagID(
                     DiagnosticsEngine::Error,
                     "pymemcheck: %0 declared here is not pymemcheck's "
                     "trace entry point, but calls above were rewritten to "
                     "call it by that name; declare it before them, rename "
                     "it, or leave them out with trace-exclude-function or "
                     "trace-exclude-file"))
        << ND;
  }

  /// Target becomes the user's declaration ND of Row's entry point's name:
  /// the entry point itself when it has its type, else a reason to leave
  /// the calls alone.
  void adoptUserDeclaration(TraceTarget &Target, const CatalogEntry &Row,
                            NamedDecl *ND) const {
    auto *FD = dyn_cast<FunctionDecl>(ND);
    if (FD && FD->isExternC() && hasCatalogSignature(FD, Row, 2)) {
      Target.Decl = FD;
      return;
    }
    Target.WhyNot = ("the declaration of '" + Row.TraceName +
                     "' in scope does not have the trace entry point's type")
                        .str();
    Target.Conflict = ND;
  }

  /// A block-scope extern declaration names the symbol a file-scope one
  /// of the same name would, but the lookup that picks an entry point
  /// (traceTarget) cannot see it, nor does handleDecl, which sees only
  /// file-scope declarations.  Met before any call was rewritten to its
  /// name, it decides like a file-scope declaration; after, it is late.
  void checkLocalEntryPointName(NamedDecl *ND) {
    const CatalogEntry *Row = entryPointNamesake(*ND);
    if (!Row)
      return;
    auto Found = Targets.try_emplace(Row);
    if (Found.second)
      adoptUserDeclaration(Found.first->second, *Row, ND);
    else
      checkLateEntryPointName(ND);
  }

  /// The catalog row whose trace entry point's symbol ND, a function or a
  /// variable, would also be: the same name, unmangled (a C++ function of
  /// C++ linkage is another symbol altogether).  Null for any other ND.
  const CatalogEntry *entryPointNamesake(const NamedDecl &ND) const {
    if (!(isa<FunctionDecl>(ND) || isa<VarDecl>(ND)) || !ND.getIdentifier())
      return nullptr;
    const CatalogEntry *Row = findTraceCall(ND.getName());
    if (!Row)
      return nullptr;
    std::unique_ptr<MangleContext> Mangler(Ctx->createMangleContext());
    return Mangler->shouldMangleDeclName(&ND) ? nullptr : Row;
  }

  /// True when FD has the signature calls.def gives Row's operation,
  /// preceded by SiteParams parameters (2 for a trace entry point:
  /// const char *filename, int lineno).
  bool hasCatalogSignature(const FunctionDecl *FD, const CatalogEntry &Row,
                           unsigned SiteParams) const {
    const auto *Proto = FD->getType()->getAs<FunctionProtoType>();
    if (!Proto || Proto->isVariadic())
      return false;
    QualType Result, Params[3];
    unsigned N = operationSignature(Row.Op, *Ctx, Result, Params);
    if (Proto->getNumParams() != SiteParams + N ||
        !Ctx->hasSameType(Proto->getReturnType(), Result))
      return false;
    if (SiteParams &&
        (!Ctx->hasSameType(Proto->getParamType(0),
                           Ctx->getPointerType(Ctx->CharTy.withConst())) ||
         !Ctx->hasSameType(Proto->getParamType(1), Ctx->IntTy)))
      return false;
    for (unsigned I = 0; I != N; ++I)
      if (!Ctx->hasSameType(Proto->getParamType(SiteParams + I), Params[I]))
        return false;
    return true;
  }

  /// The file and line that __FILE__ and __LINE__ would give if written
  /// where the callee's name is.  __LINE__ takes the end of the outermost
  /// expansion of the macro it is written in, but sees a token of a macro
  /// argument where the argument was written (arguments are expanded
  /// before substitution).  __FILE__ is the presumed name (#line
  /// honoured) after -fmacro-prefix-map.
  bool callSite(SourceLocation Loc, CallSite &Site) const {
    while (Loc.isMacroID()) {
      if (SM->isMacroArgExpansion(Loc))
        Loc = SM->getImmediateSpellingLoc(Loc);
      else
        Loc = SM->getImmediateExpansionRange(Loc).getEnd();
    }
    PresumedLoc P = SM->getPresumedLoc(Loc);
    if (P.isInvalid())
      return false;
    Site.File = P.getFilename();
    compat::applyFileMacroPrefixMap(Site.File, CI.getLangOpts(),
                                    Ctx->getTargetInfo());
    Site.Line = P.getLine();
    return true;
  }

  /// The trace entry point of Row: the declaration user code can see (the
  /// runtime's pymemcheck/trace.h) when there is one, else one made here,
  /// extern "C", that only the rewritten calls refer to.
  TraceTarget &traceTarget(const CatalogEntry &Row, const FunctionDecl *Callee,
                           SourceLocation Loc) {
    auto Found = Targets.try_emplace(&Row);
    TraceTarget &Target = Found.first->second;
    if (!Found.second)
      return Target;

    IdentifierInfo &Name = Ctx->Idents.get(Row.TraceName);
    TranslationUnitDecl *TU = Ctx->getTranslationUnitDecl();
    for (NamedDecl *ND : TU->lookup(DeclarationName(&Name))) {
      adoptUserDeclaration(Target, Row, ND);
      return Target;
    }

    const auto *CalleeProto = Callee->getType()->castAs<FunctionProtoType>();
    llvm::SmallVector<QualType, 5> ParamTypes;
    ParamTypes.push_back(Ctx->getPointerType(Ctx->CharTy.withConst()));
    ParamTypes.push_back(Ctx->IntTy);
    for (QualType T : CalleeProto->getParamTypes())
      ParamTypes.push_back(T);
    FunctionProtoType::ExtProtoInfo EPI;
    // Keep a nothrow callee's calls nothrow, so that C++ code around them
    // needs no new landing pads.
    if (CI.getLangOpts().CPlusPlus && CalleeProto->isNothrow())
      EPI.ExceptionSpec.Type =
          CI.getLangOpts().CPlusPlus11 ? EST_BasicNoexcept : EST_DynamicNone;
    QualType Type =
        Ctx->getFunctionType(CalleeProto->getReturnType(), ParamTypes, EPI);

    DeclContext *DC = TU;
    if (CI.getLangOpts().CPlusPlus) {
      auto *Linkage = LinkageSpecDecl::Create(*Ctx, TU, Loc, Loc,
                                              compat::cLanguageLinkage(),
                                              /*HasBraces=*/false);
      Linkage->setImplicit();
      DC = Linkage;
    }
    // Not added to DC: user code cannot find it by name, so a later
    // declaration of the same function never clashes with it.
    FunctionDecl *FD =
        FunctionDecl::Create(*Ctx, DC, Loc, Loc, DeclarationName(&Name), Type,
                             Ctx->getTrivialTypeSourceInfo(Type, Loc),
                             SC_Extern);
    llvm::SmallVector<ParmVarDecl *, 5> Params;
    for (QualType T : ParamTypes) {
      ParmVarDecl *P = ParmVarDecl::Create(
          *Ctx, FD, Loc, Loc, /*Id=*/nullptr, T,
          Ctx->getTrivialTypeSourceInfo(T, Loc), SC_None, /*DefArg=*/nullptr);
      P->setScopeInfo(0, Params.size());
      Params.push_back(P);
    }
    FD->setParams(Params);
    FD->setImplicit();
    if (Callee->hasAttr<NoThrowAttr>())
      FD->addAttr(NoThrowAttr::CreateImplicit(*Ctx));
    Target.Decl = FD;
    return Target;
  }

  /// The trace entry point, named the way Old names the callee: `(f)`
  /// stays in its parentheses and `(*f)` keeps its operator, each where it
  /// was written.  So the call begins where it did, and the name alone is
  /// at the name's place (the GIL analysis's fix-it replaces that token).
  Expr *rebuildCallee(Expr *Old, FunctionDecl *Trace) {
    Sema &S = CI.getSema();
    if (auto *Cast = dyn_cast<ImplicitCastExpr>(Old))
      return rebuildCallee(Cast->getSubExpr(), Trace);
    if (auto *Paren = dyn_cast<ParenExpr>(Old)) {
      Expr *Sub = rebuildCallee(Paren->getSubExpr(), Trace);
      if (!Sub)
        return nullptr;
      return new (*Ctx) ParenExpr(Paren->getLParen(), Paren->getRParen(), Sub);
    }
    if (auto *UO = dyn_cast<UnaryOperator>(Old)) {
      Expr *Sub = rebuildCallee(UO->getSubExpr(), Trace);
      if (!Sub)
        return nullptr;
      ExprResult R = S.BuildUnaryOp(/*Scope=*/nullptr, UO->getOperatorLoc(),
                                    UO->getOpcode(), Sub);
      return R.isInvalid() ? nullptr : R.get();
    }
    if (auto *Ref = dyn_cast<DeclRefExpr>(Old))
      return S.BuildDeclRefExpr(Trace, Trace->getType(), VK_LValue,
                                Ref->getLocation());
    return nullptr;
  }

  Expr *buildTraceCall(CallExpr *Old, FunctionDecl *Trace,
                       const CallSite &Site) {
    Sema &S = CI.getSema();
    SourceLocation Loc = Old->getBeginLoc();
    QualType FileType =
        Ctx->getStringLiteralArrayType(Ctx->CharTy, Site.File.size());
    Expr *File = StringLiteral::Create(*Ctx, Site.File,
                                       compat::ordinaryStringKind(),
                                       /*Pascal=*/false, FileType, Loc);
    Expr *Line = IntegerLiteral::Create(
        *Ctx, llvm::APInt(Ctx->getIntWidth(Ctx->IntTy), Site.Line),
        Ctx->IntTy, Loc);
    llvm::SmallVector<Expr *, 5> Args{File, Line};
    for (Expr *Arg : Old->arguments())
      Args.push_back(Arg);

    ExprResult New;
    {
      // Nothing here should fail; if it does, no diagnostic reaches the
      // user and the old call stays.
      Sema::SFINAETrap Trap(S);
      Expr *Fn = rebuildCallee(Old->getCallee(), Trace);
      if (!Fn || Trap.hasErrorOccurred())
        return nullptr;
      New = S.BuildCallExpr(/*Scope=*/nullptr, Fn, Loc, Args,
                            Old->getRParenLoc());
      if (Trap.hasErrorOccurred())
        return nullptr;
    }
    if (New.isInvalid() || !New.get() ||
        !Ctx->hasSameType(New.get()->getType(), Old->getType()))
      return nullptr;
    return New.get();
  }
};

/// The consumer used while building a precompiled header or a module: it
/// rewrites nothing (see docs/plugin.md), and says so when asked.
class AstFileConsumer : public ASTConsumer {
public:
  AstFileConsumer(CompilerInstance &CI, bool Remarks)
      : CI(CI), Remarks(Remarks) {}

  void HandleTranslationUnit(ASTContext &) override {
    if (!Remarks)
      return;
    DiagnosticsEngine &Diags = CI.getDiagnostics();
    Diags.Report(Diags.getCustomDiagID(
        DiagnosticsEngine::Remark,
        "pymemcheck: calls are not rewritten while building a precompiled "
        "header or module; each compile that uses it rewrites the calls of "
        "the functions it takes from it"));
  }

private:
  CompilerInstance &CI;
  bool Remarks;
};

} // namespace

std::unique_ptr<ASTConsumer> createTraceRewriter(CompilerInstance &CI,
                                                 Options Opts) {
  if (buildsAstFile(CI))
    return std::make_unique<AstFileConsumer>(CI, Opts.Remarks);
  return std::make_unique<TraceRewriter>(CI, std::move(Opts));
}

} // namespace pymemcheck
