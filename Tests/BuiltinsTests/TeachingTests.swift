// explain(obj) and tutorial(name): explanations with live numbers, and every lesson run through.
@testable import Builtins
import Interpreter
import XCTest

final class TeachingTests: XCTestCase {
    func session(pausing: Bool = false) -> (Session, () -> String, () -> String) {
        var out = "", err = ""
        let s = Session(output: { out += $0 }, errorOutput: { err += $0 })
        s.pausesLessons = pausing
        return (s, { defer { out = "" }; return out }, { err })
    }

    func testExplainAnOptimizerShowsItsLiveNumbers() {
        let (s, out, err) = session()
        XCTAssertEqual(s.runCode("""
            net = sequential(dense(2, 1))
            opt = sgd(net, lr: 0.5)
            x = tensor([[1, 2]]); y = tensor([[3]])
            step(opt, [x, y]); step(opt, [x, y])
            e = explain(opt)
            [e.numbers.lr, e.numbers.steps, e.title]
            """), .success, err())
        XCTAssertEqual(out(), "[\"0.5\", \"2\", \"SGD\"]\n")
        XCTAssertEqual(s.runPromptInput("explain(opt)"), .success, err())
        let text = out()
        XCTAssertTrue(text.hasPrefix("SGD: stochastic gradient descent"), text)
        XCTAssertTrue(text.contains("\n  steps              2\n"), text)
        XCTAssertEqual(s.runCode("str(explain(opt)) == explain(opt).text"), .success, err())
        XCTAssertEqual(out(), "true\n")
    }

    func testExplainAMaskedLayerARunAndADataset() {
        let (s, out, err) = session()
        XCTAssertEqual(s.runCode("""
            net = sequential(dense(4, 8), relu(), dense(8, 3))
            masked(net); prune(net, amount: 0.5)
            run = fit(net, iris(), adam(net), epochs: 2, batch: 50)
            [explain(net.layers[0]).numbers["zero weights"], explain(run).numbers.epochs, explain(iris()).numbers.examples]
            """), .success, err())
        let first = out()
        XCTAssertTrue(first.hasSuffix(", \"2\", \"150\"]\n"), first)
        XCTAssertEqual(s.runCode("explain(net.layers[0]).text"), .success, err())
        XCTAssertTrue(out().contains("Hard mask (hard)"))
    }

    func testExplainRefusesWhatCannotExplainItself() {
        let (s, _, err) = session()
        XCTAssertEqual(s.runCode("explain(3)"), .runtimeError)
        XCTAssertTrue(err().contains("`explain`: argument 1 (`obj`) expects Optimizer, Layer, Net, Run, Dataset or Search, got Int"), err())
        XCTAssertEqual(s.runCode("explain(sparsity(sequential(dense(2, 2))))"), .runtimeError)
        XCTAssertTrue(err().contains("is a Sparsity, which has no explanation yet"), err())
    }

    func testTutorialListsTheLessonsAndRejectsAnUnknownOne() {
        let (s, out, err) = session()
        XCTAssertEqual(s.runCode("contains(tutorial(), \"masks\")"), .success, err())
        XCTAssertEqual(out(), "true\n")
        XCTAssertEqual(s.runCode("tutorial(\"mask\")"), .runtimeError)
        XCTAssertTrue(err().contains("names no lesson (lessons: ") && err().contains("masks"), err())
        XCTAssertTrue(err().contains("did you mean \"masks\"?"), err())
    }

    /// Every bundled lesson runs straight through in a script, and leaves its variables behind.
    func testEveryLessonRunsStraightThrough() {
        let names = Lesson.names()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let (s, out, err) = session()
            XCTAssertEqual(s.runScript(source: "tutorial(\"\(name)\")", path: "lesson.wh"), .success, "\(name): \(err())")
            let text = out()
            let lesson = Lesson.named(name)
            XCTAssertGreaterThan(lesson?.chunks.count ?? 0, 3, name)
            XCTAssertTrue(text.contains("── \(name) \(lesson?.chunks.count ?? 0)/\(lesson?.chunks.count ?? 0) "), text)
        }
    }

    func testTheMasksLessonPrunesEightyPercentAndRecoversByFineTuning() {
        let (s, out, err) = session()
        XCTAssertEqual(s.runScript(source: "tutorial(\"masks\")", path: "lesson.wh"), .success, err())
        _ = out()
        XCTAssertEqual(s.runCode("""
            [dense_accuracy > 0.9, pruned_accuracy < dense_accuracy, tuned_accuracy > 0.9, fmt(sparsity(net), 4)]
            """), .success, err())
        XCTAssertEqual(out(), "[true, true, true, \"0.7991\"]\n")
    }

    /// At a prompt the lesson waits: Enter runs the step shown, other input runs as usual, q leaves.
    func testAtThePromptEnterRunsAStepAndQLeavesWithTheVariablesKept() {
        let (s, out, err) = session(pausing: true)
        XCTAssertNil(s.lessonKey(""))
        XCTAssertEqual(s.runPromptInput("tutorial(\"masks\")"), .success, err())
        var text = out()
        XCTAssertTrue(text.hasPrefix("── masks 1/"), text)
        XCTAssertTrue(text.hasSuffix(Session.lessonHint + "\n"), text)
        XCTAssertEqual(s.lessonKey(""), .success)          // the introduction has no code
        XCTAssertTrue(out().contains("masks 2/"))
        XCTAssertNil(s.lessonKey("1 + 1"))                 // ordinary input is the caller's
        XCTAssertEqual(s.lessonKey(""), .success, err())   // runs the data step
        text = out()
        XCTAssertTrue(text.hasPrefix("Dataset(120 examples"), text)
        XCTAssertTrue(text.contains("masks 3/"), text)
        XCTAssertEqual(s.lessonKey("q"), .success)
        XCTAssertTrue(out().hasPrefix("left the lesson \"masks\" at step 3 of"))
        XCTAssertNil(s.lessonKey(""))
        XCTAssertEqual(s.runCode("train.count"), .success, err())
        XCTAssertEqual(out(), "120\n")
    }

    func testAFailingStepStaysShownSoEnterRunsItAgain() {
        let (s, out, err) = session(pausing: true)
        XCTAssertEqual(s.runPromptInput("tutorial(\"masks\")"), .success)
        _ = s.lessonKey("")
        _ = s.lessonKey("")
        _ = out()
        XCTAssertEqual(s.runPromptInput("dense = 5"), .success)   // breaks the next step's `dense(4, 32)`
        _ = out()
        XCTAssertEqual(s.lessonKey(""), .runtimeError)
        XCTAssertTrue(err().contains("stdlib/tutorials/masks.wh:"), err())
        XCTAssertTrue(out().contains("press Enter to run it again"))
        XCTAssertEqual(s.runPromptInput("dense = nil"), .success)
        _ = out()
        XCTAssertEqual(s.lessonKey("q"), .success)
    }
}

extension TeachingTests {
    func testACombinedOptimizerExplainsEachPart() {
        let (s, out, err) = session()
        XCTAssertEqual(s.runCode("""
            net = sequential(dense(2, 2))
            e = explain(combine(adam(net, only: "weight"), sgd(net, only: "bias", lr: 0.5)))
            [e.numbers.parts, contains(e.text, "\\n  SGD: "), contains(e.text, "\\n  Adam: ")]
            """), .success, err())
        XCTAssertEqual(out(), "[\"adam, sgd\", true, true]\n")
    }
}
