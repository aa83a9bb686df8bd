// Turning language values into tensors (numbers, nested lists, params) and subscripts into indices.
import Core
import Interpreter
import Lang

enum TensorConversion {
    /// The tensor a value stands for in an arithmetic expression: a tensor, a parameter, a number
    /// (as a 0-d tensor) or a nested list of numbers; nil for anything else.
    static func operand(_ value: Value) throws -> TensorObject? {
        switch value {
        case .native(let n):
            if let t = n as? TensorObject { return t }
            if let p = n as? ParamObject { return p.asTensor }
            return nil
        case .int(let i): return TensorObject(Tensor(scalar: Float(i)))
        case .float(let f): return TensorObject(Tensor(scalar: Float(f)))
        case .list: return TensorObject(try tensor(fromNested: value))
        default: return nil
        }
    }

    /// A tensor from a nested list of numbers (`tensor([[1, 2], [3, 4]])`): every row must have the
    /// same length; 0-d tensors inside are taken as numbers and tensors as sub-arrays.
    static func tensor(fromNested value: Value) throws -> Tensor<Float> {
        var shape: [Int] = []
        var scalars: [Float] = []
        var depthSeen = false
        var visiting = Set<ObjectIdentifier>()

        func walk(_ v: Value, depth: Int) throws {
            if case .list(let l) = v {
                let id = ObjectIdentifier(l)
                guard !visiting.contains(id) else { throw runtimeError("`tensor`: the list contains itself", kind: "value") }
                visiting.insert(id)
                defer { visiting.remove(id) }
                if !depthSeen {
                    if shape.count == depth { shape.append(l.items.count) }
                } else if depth >= shape.count || shape[depth] != l.items.count {
                    throw runtimeError("`tensor`: rows of different lengths (expected shape \(Tensor<Float>.describe(shape)))", kind: "shape")
                }
                if l.items.isEmpty, !depthSeen { depthSeen = true }
                for item in l.items { try walk(item, depth: depth + 1) }
                return
            }
            let leafShape: [Int]
            let leafScalars: [Float]
            switch v {
            case .int(let i): (leafShape, leafScalars) = ([], [Float(i)])
            case .float(let f): (leafShape, leafScalars) = ([], [Float(f)])
            case .bool(let b): (leafShape, leafScalars) = ([], [b ? 1 : 0])
            case .native(let n) where (n is TensorObject || n is ParamObject):
                let t = try operand(.native(n))?.tensor ?? Tensor(scalar: 0)
                (leafShape, leafScalars) = (t.shape, t.scalars)
            default:
                throw runtimeError("`tensor`: expects numbers or nested lists of numbers, got \(v.typeName)", kind: "type")
            }
            if !depthSeen {
                shape.append(contentsOf: leafShape)
                depthSeen = true
            } else if Array(shape.dropFirst(depth)) != leafShape {
                throw runtimeError("`tensor`: rows of different lengths (expected shape \(Tensor<Float>.describe(shape)))", kind: "shape")
            }
            scalars.append(contentsOf: leafScalars)
        }
        try walk(value, depth: 0)
        return try Tensor(shape: shape, scalars: scalars)
    }

    /// The Core indices for a subscript; 0-d tensors and integral floats are accepted as Ints.
    static func coreIndices(_ indices: [SubscriptIndex]) throws -> [TensorIndex] {
        try indices.map { index in
            switch index {
            case let .slice(start, stop, step): return .slice(start: start, stop: stop, step: step)
            case .index(let v):
                if case .int(let i) = v { return .index(i) }
                if let d = v.numberValue, d == d.rounded(), abs(d) < 9e18 { return .index(Int(d)) }
                throw runtimeError("a Tensor index must be an Int or a slice, got \(v.typeName)", kind: "type")
            }
        }
    }

    /// The positions of a gathering subscript: a List of Ints or a rank-1 tensor of whole numbers;
    /// nil for anything else (a single index, handled by `coreIndices`).
    static func indexList(_ value: Value) throws -> [Int]? {
        switch value {
        case .list(let l):
            return try l.items.map { item in
                if case .int(let i) = item { return i }
                if let d = item.numberValue, d == d.rounded(), abs(d) < 9e18 { return Int(d) }
                throw runtimeError("an index list must hold Ints, got \(item.typeName)", kind: "type")
            }
        case .native(let n):
            guard let t = n as? TensorObject, t.tensor.rank >= 1 else { return nil }
            let v = t.tensor
            guard v.rank == 1 else {
                throw runtimeError("an index tensor must have rank 1, got shape \(Tensor<Float>.describe(v.shape))", kind: "type")
            }
            return try v.scalars.map { d in
                guard d == d.rounded(), abs(d) < 9e18 else {
                    throw runtimeError("an index tensor must hold whole numbers, got \(d)", kind: "value")
                }
                return Int(d)
            }
        default:
            return nil
        }
    }

    /// A Swift list of Ints from a shape value: a List of Ints or a Tensor of integral values.
    static func ints(_ value: Value, what: String) throws -> [Int] {
        switch value {
        case .list(let l):
            return try l.items.map { item in
                if case .int(let i) = item { return i }
                if let d = item.numberValue, d == d.rounded(), abs(d) < 9e18 { return Int(d) }
                throw runtimeError("\(what) expects a List of Ints, got an element of type \(item.typeName)", kind: "type")
            }
        case .int(let i): return [i]
        default:
            if let t = try operand(value)?.tensor {
                return t.scalars.map { Int($0.isFinite ? $0 : 0) }
            }
            throw runtimeError("\(what) expects a List of Ints, got \(value.typeName)", kind: "type")
        }
    }

    /// A nested list of numbers holding a tensor's values (`to_list`).
    static func nestedList(_ t: Tensor<Float>) -> Value {
        if t.rank == 0 { return .float(Double(t.scalars[0])) }
        func build(_ axis: Int, _ offset: Int) -> Value {
            let n = t.shape[axis]
            if axis == t.rank - 1 {
                return .list((0..<n).map { .float(Double(t.scalars[offset + $0])) })
            }
            let stride = t.shape[(axis + 1)...].reduce(1, *)
            return .list((0..<n).map { build(axis + 1, offset + $0 * stride) })
        }
        return build(0, 0)
    }
}

extension Arguments {
    /// Parameter `name` as a tensor (a Tensor, a Param, a number or a nested list of numbers).
    func tensor(_ name: String) throws -> TensorObject {
        if let t = try TensorConversion.operand(self[try position(name)]) { return t }
        throw typeError(name, expected: "Tensor")
    }

    /// Parameter `name` as a plain tensor value.
    func tensorValue(_ name: String) throws -> Tensor<Float> { try tensor(name).tensor }

    /// An optional axis argument (nil when omitted or nil).
    func axis(_ name: String) throws -> Int? { try optionalInt(name) }
}
