// The syntax tree: expressions and statements as the parser builds them, with resolver annotations.

/// Binary operators, with the spelling used in messages.
public enum BinaryOperator: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//"
    case modulo = "%", matmul = "@", power = "^"
}

/// Comparison operators.
public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
}

/// Unary operators.
public enum UnaryOperator: String, Sendable {
    case negate = "-"
}

/// A variable: one binding created by an assignment, `let`, a parameter, a loop or `catch`.
/// The resolver fills its storage; the evaluator reads it.
public final class Variable {
    public let name: String
    /// True when an inner function refers to it; then it lives in a cell shared with closures.
    public internal(set) var isCaptured = false
    /// Index among the function's plain slots or among its cells (see `isCaptured`).
    public internal(set) var index = 0
    /// True for a binding that must be made afresh each time it is declared (`let`, loop variables).
    public let isBlockScoped: Bool
    /// The places that bind it (assignments, `fn` declarations, `let`, parameters, loop and `catch`
    /// names), counted so the resolver can tell a function bound once and never rebound.
    var bindingSites = 0

    init(name: String, isBlockScoped: Bool) {
        self.name = name
        self.isBlockScoped = isBlockScoped
    }
}

/// Where a name occurrence finds its value, decided by the resolver.
public enum Binding {
    /// A variable of the function running the code.
    case local(Variable)
    /// The function's captured variable number `index` (a cell of an enclosing function).
    case capture(Int)
    /// Looked up among the globals by name when it runs.
    case global(String)
    /// The closure running the code: a function bound once to a local variable (`fn inner` in a
    /// function, never rebound) reading that variable in its own body. Capturing the variable's
    /// cell would make a cycle (cell → closure → cell) that reference counting never frees.
    case runningFunction
}

/// One occurrence of a name in the source.
public final class NameRef {
    public let name: String
    public let span: SourceSpan
    public internal(set) var binding: Binding
    /// For a name that resolved to a global: the local names visible there (for "did you mean").
    public internal(set) var localNamesInScope: [String] = []

    init(name: String, span: SourceSpan) {
        self.name = name
        self.span = span
        self.binding = .global(name)
    }
}

/// Where a closure takes a captured variable from when it is made.
public enum CaptureSource {
    /// A cell of the enclosing function's frame.
    case enclosingLocal(Variable)
    /// One of the enclosing function's own captures.
    case enclosingCapture(Int)
    /// Nothing: the function's reads of its own name became `Binding.runningFunction`.
    case none
}

/// Frame layout of one function (or of a top-level chunk), filled by the resolver.
public final class FunctionInfo {
    public internal(set) var slotCount = 0
    public internal(set) var cellCount = 0
    public internal(set) var captures: [CaptureSource] = []
    /// Variables bound at function level (parameters included): their cells are made at entry.
    public internal(set) var functionLevelCells: [Variable] = []
    /// Every variable of the function, in declaration order.
    public internal(set) var variables: [Variable] = []
    init() {}
}

/// One parameter of a user function.
public struct ParameterDecl {
    public var name: String
    public var span: SourceSpan
    public var defaultValue: Expr?
    public internal(set) var variable: Variable?
}

/// A function literal or declaration.
public final class FunctionDecl {
    /// The declared name, or `<lambda>`.
    public let name: String
    public internal(set) var parameters: [ParameterDecl]
    public let body: Block
    /// True for `= expr` / lambda expression bodies (the block holds one expression statement).
    public let hasExpressionBody: Bool
    public let span: SourceSpan
    /// The doc comment lines above `fn` (first line = summary).
    public let documentation: String?
    public let info = FunctionInfo()

    init(name: String, parameters: [ParameterDecl], body: Block, hasExpressionBody: Bool,
         span: SourceSpan, documentation: String?) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.hasExpressionBody = hasExpressionBody
        self.span = span
        self.documentation = documentation
    }
}

/// A sequence of statements; its value is the last expression statement's.
public final class Block {
    public internal(set) var statements: [Stmt]
    public let span: SourceSpan
    init(statements: [Stmt], span: SourceSpan) {
        self.statements = statements
        self.span = span
    }
}

/// A call argument.
public struct Argument {
    public var name: String?
    public var nameSpan: SourceSpan?
    public var value: Expr
}

/// One index inside `[...]`.
public enum SubscriptItem {
    case index(Expr)
    case slice(start: Expr?, stop: Expr?, step: Expr?)
}

/// A piece of an interpolated string.
public enum StringPart {
    case text(String)
    case expr(Expr)
}

/// An expression with its span.
public struct Expr {
    public var kind: ExprKind
    public var span: SourceSpan
    public init(_ kind: ExprKind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// The expression forms.
public indirect enum ExprKind {
    case nilLiteral
    case boolLiteral(Bool)
    case intLiteral(Int)
    case floatLiteral(Double)
    case string([StringPart])
    case name(NameRef)
    case list([Expr])
    case record([(key: String, value: Expr)])
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    case comparison(ComparisonOperator, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)
    case range(Expr, Expr, inclusive: Bool)
    case call(Expr, [Argument])
    case index(Expr, [SubscriptItem])
    case field(Expr, String, SourceSpan)
    case ifExpr(Expr, Block, Expr?)
    case block(Block)
    case function(FunctionDecl)
    case grouped(Expr)
}

/// A statement with its span.
public struct Stmt {
    public var kind: StmtKind
    public var span: SourceSpan
    public init(_ kind: StmtKind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// The statement forms.
public indirect enum StmtKind {
    case expression(Expr)
    /// `target = value` or `target op= value` (the target is a name, field or index expression).
    case assign(Expr, BinaryOperator?, Expr)
    case letBinding(NameRef, Expr)
    case function(NameRef, FunctionDecl)
    case whileLoop(Expr, Block)
    case forLoop([NameRef], Expr, Block)
    case breakLoop
    case continueLoop
    case returnValue(Expr?)
    case tryCatch(Block, NameRef?, Block)
}

/// A parsed and resolved file or prompt input.
public final class Program {
    public let body: Block
    /// Frame layout of the top-level chunk (its `let` and loop variables).
    public let info = FunctionInfo()
    public let file: SourceFile
    init(body: Block, file: SourceFile) {
        self.body = body
        self.file = file
    }
}
