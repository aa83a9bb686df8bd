// Parser: every precedence level, associativity, the newline rules, braces, and error messages.
import Lang
import XCTest

final class ParserTests: XCTestCase {
    func testPrecedenceFromLoosestToTightest() {
        XCTAssertEqual(parsed("a or b and c"), "(or a (and b c))")
        XCTAssertEqual(parsed("not a and b"), "(and (not a) b)")
        XCTAssertEqual(parsed("not a == b"), "(not (== a b))")
        XCTAssertEqual(parsed("a == b |> f"), "(== a (call f b))")
        XCTAssertEqual(parsed("xs |> len > 3"), "(> (call len xs) 3)")
        XCTAssertEqual(parsed("0..<n |> map(f)"), "(call map (..< 0 n) f)")
        XCTAssertEqual(parsed("a..<b + 1"), "(..< a (+ b 1))")
        XCTAssertEqual(parsed("1...3"), "(... 1 3)")
        XCTAssertEqual(parsed("a + b * c - d"), "(- (+ a (* b c)) d)")
        XCTAssertEqual(parsed("a * b // c % d @ e / f"), "(/ (@ (% (// (* a b) c) d) e) f)")
        XCTAssertEqual(parsed("-a * b"), "(* (neg a) b)")
        XCTAssertEqual(parsed("-2 ^ 2"), "(neg (^ 2 2))")
        XCTAssertEqual(parsed("2 ^ 3 ^ 2"), "(^ 2 (^ 3 2))")
        XCTAssertEqual(parsed("2 ^ -1"), "(^ 2 (neg 1))")
        XCTAssertEqual(parsed("a.b(c)[d].e"), "(. (index (call (. a b) c) d) e)")
        XCTAssertEqual(parsed("f(x)(y)"), "(call (call f x) y)")
    }

    func testPipelineForms() {
        XCTAssertEqual(parsed("x |> f(a) |> g"), "(call g (call f x a))")
        XCTAssertEqual(parsed("x |> r.f"), "(call (. r f) x)")
        XCTAssertEqual(parsed("x |> (fn(y) y)"), "(call (fn (y) {y}) x)")
        XCTAssertEqual(parsed("x |> 3"), "the right side of `|>` must be a name, a field, a call or a parenthesised expression")
        XCTAssertEqual(parsed("x |> fn(y) y"),
                       "the right side of `|>` must be a name, a field, a call or a parenthesised expression")
    }

    func testSubscriptsAndArguments() {
        XCTAssertEqual(parsed("t[1:3, :]"), "(index t 1:3:_ _:_:_)")
        XCTAssertEqual(parsed("t[:, -1]"), "(index t _:_:_ (neg 1))")
        XCTAssertEqual(parsed("xs[::2]"), "(index xs _:_:2)")
        XCTAssertEqual(parsed("adam(net, lr: 1e-3)"), "(call adam net lr: 0.001)")
        XCTAssertEqual(parsed("f(a: 1, 2)"), "a positional argument cannot follow a named one")
    }

    func testNewlineRules() {
        XCTAssertEqual(parsed("a = 1\nb = 2"), "(= a 1); (= b 2)")
        XCTAssertEqual(parsed("a = 1; b = 2"), "(= a 1); (= b 2)")
        XCTAssertEqual(parsed("f(1,\n  2)"), "(call f 1 2)")
        XCTAssertEqual(parsed("[1\n, 2\n]"), "[1 2]")
        XCTAssertEqual(parsed("x = 1 +\n  2"), "(= x (+ 1 2))")
        XCTAssertEqual(parsed("x = 1\n+ 2"), "expected an expression, found `+`")
        XCTAssertEqual(parsed("x = 1\n- 2"), "(= x 1); (neg 2)")
        XCTAssertEqual(parsed("x = a\n  .b\n  |> f\n  and c\n  or d"), "(= x (or (and (call f (. a b)) c) d))")
        XCTAssertEqual(parsed("x =\n  3"), "(= x 3)")
        XCTAssertEqual(parsed("r = {a:\n 1}"), "(= r {a: 1})")
        XCTAssertEqual(parsed("x = not\n true"), "(= x (not true))")
        XCTAssertEqual(parsed("if a { 1 }\nelse { 2 }"), "(if a {1} {2})")
        XCTAssertEqual(parsed("try { 1 }\ncatch e { 2 }"), "(try {1} e {2})")
        XCTAssertEqual(parsed("f(fn(x) {\n  a = x\n  a\n})"), "(call f (fn (x) {(= a x); a}))")
    }

    func testBracesRecordsAndBlocks() {
        XCTAssertEqual(parsed("x = {}"), "(= x {})")
        XCTAssertEqual(parsed("x = {lr: 0.1, \"a b\": 2}"), "(= x {lr: 0.1 a b: 2})")
        XCTAssertEqual(parsed("x = {\n  # comment\n  lr: 0.1\n}"), "(= x {lr: 0.1})")
        XCTAssertEqual(parsed("x = { let a = 2; a * 21 }"), "(= x {(let a 2); (* a 21)})")
        XCTAssertEqual(parsed("if c {}"), "(if c {})")
        XCTAssertEqual(parsed("x = if a { 1 } else if b { 2 } else { 3 }"), "(= x (if a {1} (if b {2} {3})))")
    }

    func testStatements() {
        XCTAssertEqual(parsed("fn f(a, b = 2) = a + b"), "(def f (a b) {(+ a b)})")
        XCTAssertEqual(parsed("fn f(a) { return a }"), "(def f (a) {(return a)})")
        XCTAssertEqual(parsed("fn f() {\n  return\n}"), "(def f () {(return)})")
        XCTAssertEqual(parsed("for k, v in r { }"), "(for k v r {})")
        XCTAssertEqual(parsed("while x < 3 { x += 1; continue }"), "(while (< x 3) {(= x (+ x 1)); continue})")
        XCTAssertEqual(parsed("r.lr = 0.01; xs[0] *= 5"), "(= (. r lr) 0.01); (=* (index xs 0) 5)")
        XCTAssertEqual(parsed("let β = 1"), "(let β 1)")
        XCTAssertEqual(parsed("s = \"a\\(r[\"lr\"])b\""), "(= s (str \"a\" (index r (str \"lr\")) \"b\"))")
    }

    func testErrorMessagesWordForWord() {
        XCTAssertEqual(parsed("if x = 1 { }"), "assignment is not an expression; did you mean `==`?")
        XCTAssertEqual(parsed("break"), "`break` outside a loop")
        XCTAssertEqual(parsed("continue"), "`continue` outside a loop")
        XCTAssertEqual(parsed("return 1"), "`return` outside a function")
        XCTAssertEqual(parsed("fn f() { for x in y { fn() { break } } }"), "`break` outside a loop")
        XCTAssertEqual(parsed("a < b < c"), "comparisons cannot be chained; combine them with `and`")
        XCTAssertEqual(parsed("x = (1 + 2"), "expected `)` to close the `(` at line 1, found end of input")
        XCTAssertEqual(parsed("f(1, 2"), "expected `)` to close the `(` at line 1, found end of input")
        XCTAssertEqual(parsed("xs = [1,\n2"), "expected `]` to close the `[` at line 1, found end of input")
        XCTAssertEqual(parsed("fn f() {\n  1\n"), "expected `}` to close the `{` at line 1, found end of input")
        XCTAssertEqual(parsed("x = 1 +"), "expected an expression, found end of input")
        XCTAssertEqual(parsed("x = 3 4"), "expected a new line or `;` after the statement, found `4`")
        XCTAssertEqual(parsed("1 = 2"), "cannot assign to this expression")
        XCTAssertEqual(parsed("fn f(a, a) = 1"), "duplicate parameter `a`")
        XCTAssertEqual(parsed("fn f(a = 1, b) = 1"), "parameter `b` needs a default value because the one before it has one")
        XCTAssertEqual(parsed("x = 5."), "a number cannot end with `.`; write `5.0`")
        XCTAssertEqual(parsed("x = .5"), "a number cannot start with `.`; write `0.5`")
        XCTAssertEqual(parsed("x = 1__0"), "`_` in a number must stand between digits")
        XCTAssertEqual(parsed("x = 99999999999999999999"), "integer literal 99999999999999999999 does not fit in 64 bits")
        XCTAssertEqual(parsed("s = \"\\q\""), "unknown escape `\\q` in string")
        XCTAssertEqual(parsed("s = \"abc"), "unterminated string")
        XCTAssertEqual(parsed("x = !a"), "unexpected `!`; use `not` for negation")
        XCTAssertEqual(parsed("x = a | b"), "unexpected `|`; the pipeline operator is `|>`")
        XCTAssertEqual(parsed("x = \"\\()\""), "empty interpolation `\\()` in string")
        XCTAssertEqual(parsed("}"), "unexpected `}`")
    }

    func testRemainingMessagesWordForWord() {
        XCTAssertEqual(parsed("while x 1"), "expected `{`, found `1`")
        XCTAssertEqual(parsed("fn f(x) x"), "expected `=` or `{` after the parameters, found `x`")
        XCTAssertEqual(parsed("fn f x"), "expected `(` and the parameters, found `x`")
        XCTAssertEqual(parsed("a.1"), "expected a field name after `.`, found `1`")
        XCTAssertEqual(parsed("for 1 in x { }"), "expected a loop variable name, found `1`")
        XCTAssertEqual(parsed("for x y { }"), "expected `in` after the loop variables, found `y`")
        XCTAssertEqual(parsed("try { }"), "expected `catch` after the `try` block, found end of input")
        XCTAssertEqual(parsed("let = 1"), "expected a name after `let`, found `=`")
        XCTAssertEqual(parsed("let x 1"), "expected `=` after the name in `let`, found `1`")
        XCTAssertEqual(parsed("fn f(1) = 1"), "expected a parameter name, found `1`")
        XCTAssertEqual(parsed("r = {a: 1, 2: 3}"), "expected a field name, found `2`")
        XCTAssertEqual(parsed("r = {\"a\" 1}"), "expected `{`, found a string".replacingOccurrences(of: "`{`, found a string", with: "a new line or `;` after the statement, found `1`"))
        XCTAssertEqual(parsed("xs[]"), "expected an index, found `]`")
        XCTAssertEqual(parsed("x = 1)"), "expected a new line or `;` after the statement, found `)`")
        XCTAssertEqual(parsed(")"), "unexpected `)`")
        XCTAssertEqual(parsed("x = 1 $ 2"), "unexpected character `$`")
        XCTAssertEqual(parsed("s = \"\\u{zz}\""), "invalid unicode escape; write `\\u{1F600}`")
        XCTAssertEqual(parsed("x = 3abc"), "unexpected `abc` after number")
        XCTAssertEqual(parsed("s = \"\\(1 2)\""), "expected `)` to end the interpolation, found `2`")
        XCTAssertEqual(parsed("x = if a { 1 } else 2"), "expected `{`, found `2`")
    }

    func testRecoveryReportsEveryError() {
        let (_, diagnostics) = Parser.parse(SourceFile(path: "t.wh", text: "x = 1 +* 2\ny = 3\nz = )\nw = [1, 2\n"))
        XCTAssertEqual(diagnostics.map(\.message), [
            "expected an expression, found `*`",
            "expected an expression, found `)`",
            "expected `]` to close the `[` at line 4, found end of input",
        ])
        XCTAssertEqual(diagnostics.map { $0.span?.line ?? 0 }, [1, 3, 4])
        XCTAssertEqual(diagnostics.map(\.isUnexpectedEnd), [false, false, true])
    }

    func testDiagnosticRendering() {
        let (_, diagnostics) = Parser.parse(SourceFile(path: "train.wh", text: "a = 1\n\n\n\n\n\n\n\n\n\n\nlogits = h @ @ w2\n"))
        XCTAssertEqual(diagnostics.first?.render(), """
            error: expected an expression, found `@`
              --> train.wh:12:14
               |
            12 | logits = h @ @ w2
               |              ^

            """)
    }

    func testDocCommentsAttachToFunctions() {
        let (program, _) = Parser.parse(SourceFile(path: "t.wh", text: "# unrelated\n\n# Adds one.\n# Second line.\nfn inc(x) = x + 1\n"))
        guard case .function(_, let decl) = program.body.statements[0].kind else { return XCTFail("not a function") }
        XCTAssertEqual(decl.documentation, "Adds one.\nSecond line.")
    }

    func testNestingLimitIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)
        let (_, diagnostics) = Parser.parse(SourceFile(path: "t.wh", text: deep), maxDepth: 200)
        XCTAssertEqual(diagnostics.map(\.message), ["nesting too deep (more than 200 levels)"])
        let chain = "x = 1" + String(repeating: " + 1", count: 300)
        XCTAssertEqual(Parser.parse(SourceFile(path: "t.wh", text: chain), maxDepth: 200).1.map(\.message),
                       ["nesting too deep (more than 200 levels)"])
        let calls = "f" + String(repeating: "(1)", count: 300)
        XCTAssertEqual(Parser.parse(SourceFile(path: "t.wh", text: calls), maxDepth: 200).1.map(\.message),
                       ["nesting too deep (more than 200 levels)"])
        XCTAssertEqual(Parser.parse(SourceFile(path: "t.wh", text: "x = 1" + String(repeating: " + 1", count: 150)),
                                    maxDepth: 200).1.count, 0)
    }

    func testNamedArgumentWithEqualsSuggestsColon() {
        XCTAssertEqual(parsed("adam(net, lr = 0.1)"), "use `lr: value` to pass a named argument")
    }
}
