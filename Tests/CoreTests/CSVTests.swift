// Tests of the CSV reader: numeric and text targets, quoting, and errors with line numbers.

import Foundation
import XCTest
@testable import Core

final class CSVTests: XCTestCase {
    func testTextLabelsBecomeSortedClassIndices() throws {
        let text = "a,b,kind\n1,2,dog\n3,4,cat\r\n\n5,6,dog\n"
        let d = try parseCSVDataset(text)
        XCTAssertEqual(d.x.shape, [3, 2])
        XCTAssertEqual(d.x.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(d.y.scalars, [1, 0, 1])
        XCTAssertEqual(d.classNames, ["cat", "dog"])
        XCTAssertEqual(d.classCount, 2)
    }

    func testNamedNumericTargetIsARegressionTarget() throws {
        let d = try parseCSVDataset("y, x1, x2\n0.5, 1, 2\n-1.5, 3, 4e1\n", target: "y")
        XCTAssertEqual(d.x.scalars, [1, 2, 3, 40])
        XCTAssertEqual(d.y.scalars, [0.5, -1.5])
        XCTAssertNil(d.classCount)
        let classes = try parseCSVDataset("x,label\n1,10\n2,2\n3,10\n", kind: .classes)
        XCTAssertEqual(classes.classNames, ["2", "10"])
        XCTAssertEqual(classes.y.scalars, [1, 0, 1])
    }

    func testByteOrderMarkIsSkipped() throws {
        let d = try parseCSVDataset("\u{FEFF}label,x\ncat,1\n", target: "label")
        XCTAssertEqual(d.classNames, ["cat"])
        XCTAssertEqual(d.x.scalars, [1])
    }

    func testQuotedFields() throws {
        let records = try parseCSVRecords("\"name, full\",v\n\"say \"\"hi\"\"\",1\n\"two\nlines\",2\n")
        XCTAssertEqual(records.map { $0.fields }, [["name, full", "v"], ["say \"hi\"", "1"], ["two\nlines", "2"]])
        XCTAssertEqual(records.map { $0.line }, [1, 2, 3])
        XCTAssertThrowsError(try parseCSVRecords("a,b\n\"open,1\n", source: "f.csv")) { error in
            XCTAssertEqual("\(error)", "f.csv: line 2: unterminated quoted field")
        }
    }

    func testErrorsGiveLineNumbers() throws {
        XCTAssertThrowsError(try parseCSVDataset("a,b,c\n1,2,3\n4,5\n", source: "f.csv")) { error in
            XCTAssertEqual("\(error)", "f.csv: line 3: expected 3 fields, got 2")
        }
        XCTAssertThrowsError(try parseCSVDataset("a,b,c\n1,2,3\n\n4,x,6\n", source: "f.csv")) { error in
            XCTAssertEqual("\(error)", "f.csv: line 4, column 'b': expected a number, got 'x'")
        }
        XCTAssertThrowsError(try parseCSVDataset("a,b\n1,2\n", target: "c", source: "f.csv")) { error in
            XCTAssertEqual("\(error)", "f.csv: no column named 'c' (columns: a, b)")
        }
        XCTAssertThrowsError(try parseCSVDataset("a,b\n1,2\n3,cat\n", kind: .values, source: "f.csv")) { error in
            XCTAssertEqual("\(error)", "f.csv: line 3, column 'b': expected a number, got 'cat'")
        }
        XCTAssertThrowsError(try parseCSVDataset("", source: "f.csv")) { error in
            XCTAssertEqual("\(error)", "f.csv: empty file: no header row")
        }
        XCTAssertThrowsError(try parseCSVDataset("a,b\n", source: "f.csv")) { error in
            XCTAssertEqual("\(error)", "f.csv: no data rows after the header")
        }
    }

    func testReadsAFile() throws {
        let dir = try makeTemporaryDirectory(self)
        try "sepal,petal,species\n1.5,2,setosa\n2.5,3,virginica\n".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let d = try readCSV(dir + "/t.csv", target: "species")
        XCTAssertEqual(d.y.scalars, [0, 1])
        XCTAssertThrowsError(try readCSV(dir + "/none.csv")) { error in
            XCTAssertEqual("\(error)", "\(dir)/none.csv: no such file")
        }
    }
}
