// A test double of a copy-on-write native value (like Tensor), exercising every NativeObject path.
import Interpreter
import Lang

/// A vector of Doubles with value semantics: element and field assignment return a new box.
final class Vec: NativeObject {
    let values: [Double]
    /// Records the last `reversed` flag seen by `binary`, to test dispatch.
    nonisolated(unsafe) static var lastReversed: Bool?

    init(_ values: [Double]) { self.values = values }

    var typeName: String { "Vec" }

    func binary(_ op: BinaryOperator, _ other: Value, reversed: Bool) throws -> Value? {
        let rhs: [Double]
        switch other {
        case .native(let o as Vec): rhs = o.values
        default:
            guard let d = other.numberValue else { return nil }
            rhs = [Double](repeating: d, count: values.count)
        }
        guard rhs.count == values.count else { throw VecError.mismatch(values.count, rhs.count) }
        Vec.lastReversed = reversed
        let (l, r) = reversed ? (rhs, values) : (values, rhs)
        switch op {
        case .add: return .native(Vec(zip(l, r).map(+)))
        case .subtract: return .native(Vec(zip(l, r).map(-)))
        case .multiply: return .native(Vec(zip(l, r).map(*)))
        default: return nil
        }
    }

    func unary(_ op: UnaryOperator) throws -> Value? { .native(Vec(values.map { -$0 })) }

    func compare(_ op: ComparisonOperator, _ other: Value, reversed: Bool) throws -> Value? {
        guard values.count > 1, op == .less || op == .greater, let d = other.numberValue else { return nil }
        let less = (op == .less) != reversed
        return .native(Vec(values.map { (less ? $0 < d : $0 > d) ? 1 : 0 }))
    }

    func subscriptGet(_ indices: [SubscriptIndex]) throws -> Value {
        guard indices.count == 1 else { throw VecError.rank(indices.count) }
        switch indices[0] {
        case .index(let v):
            guard case .int(let i) = v else { throw VecError.badIndex }
            return .float(values[try Subscripts.position(i, count: values.count, typeName: "Vec")])
        case .slice(let a, let b, let c):
            let (s, step, n) = try Subscripts.slice(count: values.count, a, b, c)
            return .native(Vec((0..<n).map { values[s + $0 * step] }))
        }
    }

    func subscriptSet(_ indices: [SubscriptIndex], to value: Value) throws -> NativeObject {
        guard indices.count == 1, case .index(.int(let i)) = indices[0], let d = value.numberValue else {
            throw VecError.badIndex
        }
        var copy = values
        copy[try Subscripts.position(i, count: values.count, typeName: "Vec")] = d
        return Vec(copy)
    }

    static let members = MemberTable(typeName: "Vec", summary: "A test vector.", fields: [
        FieldSpec("size", "Int", summary: "Number of elements.", get: { .int(($0 as? Vec)?.values.count ?? 0) }),
        FieldSpec("first", "Float", summary: "The first element.", get: { o in
            .float((o as? Vec)?.values.first ?? .nan)
        }, set: { o, v in
            guard let vec = o as? Vec, let d = v.numberValue, !vec.values.isEmpty else { throw VecError.badIndex }
            var copy = vec.values
            copy[0] = d
            return Vec(copy)
        }),
    ], methods: [
        BuiltinSpec("sum", [], topic: "Test", summary: "Sum of the elements.") { a in
            guard case .native(let o as Vec)? = a.receiver else { return .null }
            return .float(o.values.reduce(0, +))
        },
        BuiltinSpec("scale", [.named("by", "Float", .float(1))], topic: "Test", summary: "Scaled copy.") { a in
            guard case .native(let o as Vec)? = a.receiver else { return .null }
            let k = try a.double("by")
            return .native(Vec(o.values.map { $0 * k }))
        },
    ])

    var memberTable: MemberTable? { Vec.members }

    func call(_ arguments: CallArguments, in interpreter: Interpreter) throws -> Value {
        guard arguments.positional.count == 1, let k = arguments.positional[0].numberValue else { throw VecError.badIndex }
        return .native(Vec(values.map { $0 * k }))
    }

    func makeIterator() throws -> AnyIterator<Value> {
        var it = values.makeIterator()
        return AnyIterator { it.next().map { .float($0) } }
    }

    func isEqual(to other: Value) -> Bool {
        if case .native(let o as Vec) = other { return o.values == values }
        return false
    }

    func render(width: Int) -> String { "vec(" + values.map { Value.float($0).repr }.joined(separator: ", ") + ")" }
    var byteSize: Int { 32 + 8 * values.count }
    var scalarValue: Double? { values.count == 1 ? values[0] : nil }
    func copy() throws -> NativeObject { Vec(values) }
}

enum VecError: Error, CustomStringConvertible {
    case mismatch(Int, Int), rank(Int), badIndex
    var description: String {
        switch self {
        case .mismatch(let a, let b): return "length mismatch: \(a) vs \(b)"
        case .rank(let n): return "Vec takes one index, got \(n)"
        case .badIndex: return "bad Vec index"
        }
    }
}
