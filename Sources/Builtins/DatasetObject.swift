// The language's Dataset: features x and labels y, indexable, iterable, unpackable as x, y.
import Core
import Interpreter
import Lang

/// A data set (a value: `split`, `shuffle`, `take` make new ones and leave this one alone).
public final class DatasetObject: NativeObject {
    let data: Dataset

    init(_ data: Dataset) { self.data = data }

    public var typeName: String { "Dataset" }

    /// `d[i]` is example i as {x, y}; `d[a:b]` the rows a..<b as a Dataset.
    public func subscriptGet(_ indices: [SubscriptIndex]) throws -> Value {
        guard indices.count == 1 else { throw runtimeError("a Dataset takes one index", kind: "type") }
        switch indices[0] {
        case .index(let v):
            let integral: Int?
            if case .int(let n) = v { integral = n } else {
                integral = v.numberValue.flatMap { $0 == $0.rounded() && abs($0) < 9e18 ? Int($0) : nil }
            }
            guard let i = integral else {
                throw runtimeError("a Dataset index must be an Int, got \(v.typeName)", kind: "type")
            }
            let k = i < 0 ? i + data.count : i
            guard k >= 0, k < data.count else {
                throw runtimeError("index \(i) is out of range for a Dataset of \(data.count) examples", kind: "index")
            }
            let e = try data.example(at: k)
            return .record([("x", .tensor(e.x)), ("y", .tensor(e.y))])
        case let .slice(start, stop, step):
            let picked = try Tensor<Float>.arange(0, Double(data.count)).slice([.slice(start: start, stop: stop, step: step)])
            return .native(DatasetObject(try data.gather(picked.scalars.map { Int($0) })))
        }
    }

    public var memberTable: MemberTable? { DatasetMembers.table }

    /// Iterating a Dataset yields its examples as {x, y}.
    public func makeIterator() throws -> AnyIterator<Value> {
        var i = 0
        let d = data
        return AnyIterator {
            guard i < d.count, let e = try? d.example(at: i) else { return nil }
            i += 1
            return .record([("x", .tensor(e.x)), ("y", .tensor(e.y))])
        }
    }

    /// `x, y = d` and `for x, y in batches(d, 64)`.
    public func destructure(count: Int) throws -> [Value]? {
        count == 2 ? [.tensor(data.x), .tensor(data.y)] : nil
    }

    public func isEqual(to other: Value) -> Bool {
        guard case .native(let n) = other, let o = n as? DatasetObject else { return false }
        return o.data.x.shape == data.x.shape && o.data.x.scalars == data.x.scalars && o.data.y.scalars == data.y.scalars
    }

    public func render(width: Int) -> String {
        let classes = data.classCount.map { ", \($0) classes" } ?? ""
        return "Dataset(\(NetAccess.formatCount(data.count)) examples, x \(Tensor<Float>.describe(data.featureShape))\(classes))"
    }

    public var byteSize: Int { (data.x.count + data.y.count) * 4 + 64 }

    public func copy() throws -> NativeObject { DatasetObject(data) }
}

enum DatasetMembers {
    static func data(_ o: NativeObject) -> Dataset { (o as! DatasetObject).data }

    static let table = MemberTable(
        typeName: "Dataset",
        summary: "Features x (NCHW Float32 in [0, 1] for images) and labels y (class indices) or targets.",
        fields: [
            FieldSpec("x", "Tensor", summary: "the features, one row per example", get: { .tensor(data($0).x) }),
            FieldSpec("y", "Tensor", summary: "the labels (class indices) or regression targets", get: { .tensor(data($0).y) }),
            FieldSpec("count", "Int", summary: "the number of examples", get: { .int(data($0).count) }),
            FieldSpec("classes", "Int or nil", summary: "the number of classes (nil for regression)",
                      get: { data($0).classCount.map { .int($0) } ?? .null }),
            FieldSpec("class_names", "List or nil", summary: "the class names, when known",
                      get: { data($0).classNames.map { .list($0.map { .string($0) }) } ?? .null }),
        ],
        methods: [
            BuiltinSpec("len", [], topic: "Data", summary: "The number of examples.", example: "len(data.train)") { a in
                guard case .native(let n)? = a.receiver, let d = n as? DatasetObject else { return .int(0) }
                return .int(d.data.count)
            },
        ])
}
