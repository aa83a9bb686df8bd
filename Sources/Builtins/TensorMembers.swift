// The fields and methods of Tensor values: shape, size, rank, T, and the len/sort hooks.
import Core
import Interpreter
import Lang

enum TensorMembers {
    static func tensor(_ o: NativeObject) -> TensorObject { o as! TensorObject }

    static let table = MemberTable(
        typeName: "Tensor",
        summary: "A Float32 n-dimensional array (a value: copies never share changes).",
        fields: [
            FieldSpec("shape", "List", summary: "the extent of each axis",
                      get: { .list(tensor($0).tensor.shape.map { .int($0) }) }),
            FieldSpec("size", "Int", summary: "the number of elements", get: { .int(tensor($0).tensor.count) }),
            FieldSpec("rank", "Int", summary: "the number of axes", get: { .int(tensor($0).tensor.rank) }),
            FieldSpec("dtype", "String", summary: "the element type (always Float32)", get: { _ in .string("Float32") }),
            FieldSpec("T", "Tensor", summary: "the transpose (axes reversed)",
                      get: { .native(try TensorMath.apply([tensor($0)]) { try $0[0].transposed() }) }),
        ],
        methods: [
            BuiltinSpec("len", [], topic: "Tensors", summary: "The extent of the first axis.",
                        example: "len(zeros(3, 4))   # 3") { a in
                guard case .native(let n)? = a.receiver, let t = n as? TensorObject else { return .int(0) }
                guard t.tensor.rank > 0 else { throw runtimeError("`len` of a 0-d Tensor", kind: "type") }
                return .int(t.tensor.shape[0])
            },
            BuiltinSpec("sort", [], topic: "Tensors", summary: "The values sorted ascending along the last axis.",
                        example: "sort(tensor([3, 1, 2]))   # [1, 2, 3]") { a in
                guard case .native(let n)? = a.receiver, let t = n as? TensorObject else { return .null }
                return .native(try TensorMath.apply([t]) { try $0[0].sorted() })
            },
        ])
}
