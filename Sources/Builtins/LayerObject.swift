// The language's Layer and Net values: a Core layer tree, callable, indexable by position and path.
import Core
import Interpreter
import Lang

/// A layer or a network (a layer with children), shared by reference: training, pruning and
/// `freeze` change it in place; `copy(net)` makes an independent one.
public final class LayerObject: NativeObject {
    let layer: any Layer<Float>

    init(_ layer: any Layer<Float>) { self.layer = layer }

    /// `Net` for containers (sequential, residual), `Layer` for the rest.
    public var typeName: String { layer.children.isEmpty ? "Layer" : "Net" }

    /// `net(x)`: a forward pass. Inside a differentiation call it is recorded on that call's tape,
    /// so the parameters receive gradients; elsewhere nothing is recorded.
    public func call(_ arguments: CallArguments, in interpreter: Interpreter) throws -> Value {
        guard arguments.positional.count == 1, arguments.named.isEmpty else {
            throw runtimeError("calling a \(typeName) takes one input tensor: net(x)", kind: "argument")
        }
        guard let x = try TensorConversion.operand(arguments.positional[0]) else {
            throw runtimeError("a \(typeName) expects a Tensor input, got \(arguments.positional[0].typeName)", kind: "type")
        }
        return .native(try forward(x))
    }

    func forward(_ x: TensorObject) throws -> TensorObject {
        if let tape = x.node?.tape ?? AutogradContext.current {
            let input = x.node.flatMap { $0.tape === tape ? $0 : nil } ?? tape.constant(x.tensor)
            let out = try layer.forward(input)
            return out.requiresGrad ? TensorObject(node: out) : TensorObject(out.value)
        }
        return TensorObject(try layer(x.tensor))
    }

    /// `net[i]` is the i-th child layer; `net["3.weight"]` a parameter (or buffer, or layer) by path.
    public func subscriptGet(_ indices: [SubscriptIndex]) throws -> Value {
        guard indices.count == 1, case .index(let key) = indices[0] else {
            throw runtimeError("a \(typeName) takes one index: net[i] or net[\"path\"]", kind: "type")
        }
        switch key {
        case .string(let path): return try NetAccess.lookup(layer, path)
        case .int(let i):
            let children = layer.children
            let k = i < 0 ? i + children.count : i
            guard k >= 0, k < children.count else {
                throw runtimeError("layer index \(i) is out of range: the \(typeName) has \(children.count) layers", kind: "index")
            }
            return .native(LayerObject(children[k].layer))
        default:
            throw runtimeError("a \(typeName) index must be an Int or a path String, got \(key.typeName)", kind: "type")
        }
    }

    public var memberTable: MemberTable? { LayerMembers.table }

    /// Documented fields first, then the layer's own parameters, buffers and children by local
    /// name (`layer.weight`, `bn.running_mean`, `res.body`).
    public func field(_ name: String) throws -> Value? {
        if let f = LayerMembers.table.field(name) { return try f.getter(self) }
        if let m = LayerMembers.table.method(name) { return .builtin(BuiltinFunction(spec: m, receiver: .native(self))) }
        if let p = layer.ownParams.first(where: { $0.name == name }) { return .native(ParamObject(p.param)) }
        if let b = layer.ownBuffers.first(where: { $0.name == name }) { return .tensor(b.buffer.value) }
        if let c = layer.children.first(where: { $0.name == name }) { return .native(LayerObject(c.layer)) }
        return nil
    }

    /// Documented fields through their setters; the layer's own parameters and buffers by name
    /// (`layer.mask = t`, `layer.weight = t`): the shape must stay, a mask is made 0/1, and entries
    /// a mask removes stay zero.
    public func setField(_ name: String, to value: Value) throws -> NativeObject {
        if LayerMembers.table.field(name) != nil || layer.ownParams.first(where: { $0.name == name }) == nil
            && layer.ownBuffers.first(where: { $0.name == name }) == nil {
            guard let f = LayerMembers.table.field(name) else {
                throw runtimeError("\(typeName) has no field `\(name)`", kind: "key")
            }
            guard let set = f.setter else { throw runtimeError("field `\(name)` of \(typeName) cannot be assigned", kind: "type") }
            return try set(self, value)
        }
        guard let t = try TensorConversion.operand(value)?.tensor else {
            throw runtimeError("`\(layer.kind).\(name)` expects a Tensor, got \(value.typeName)", kind: "type")
        }
        func checkShape(_ shape: [Int]) throws {
            guard t.shape == shape else {
                throw runtimeError("shape mismatch in `\(layer.kind).\(name)`: \(Tensor<Float>.describe(shape)) and \(Tensor<Float>.describe(t.shape))", kind: "shape")
            }
        }
        if let p = layer.ownParams.first(where: { $0.name == name })?.param {
            try checkShape(p.value.shape)
            p.value = t
            p.enforceKeepMask()
            return self
        }
        for (_, weight) in layer.localParams {
            if let mask = weight.gate(HardMask<Float>.self), mask.localBuffers.contains(where: { $0.name == name }) {
                try checkShape(mask.mask.value.shape)
                try mask.setMask(t, on: weight)
                return self
            }
        }
        guard let b = layer.ownBuffers.first(where: { $0.name == name })?.buffer else { return self }
        try checkShape(b.value.shape)
        b.value = t
        for (_, p) in layer.localParams { p.enforceKeepMask() }
        return self
    }

    public var memberNames: [String] {
        LayerMembers.table.names + layer.ownParams.map(\.name) + layer.ownBuffers.map(\.name)
            + layer.children.map(\.name).filter { Int($0) == nil }
    }

    public func makeIterator() throws -> AnyIterator<Value> {
        var it = layer.children.makeIterator()
        return AnyIterator { it.next().map { .native(LayerObject($0.layer)) } }
    }

    public func isEqual(to other: Value) -> Bool {
        if case .native(let o) = other, let l = o as? LayerObject { return l.layer === layer }
        return false
    }

    public func render(width: Int) -> String { NetAccess.describe(layer) }

    public var byteSize: Int {
        layer.params.reduce(0) { $0 + $1.value.count * 4 } + layer.namedBuffers.reduce(0) { $0 + $1.buffer.value.count * 4 } + 128
    }

    public func copy() throws -> NativeObject { LayerObject(layer.copy()) }
}

/// Whole-network helpers shared by the layer, differentiation, training and output built-ins.
enum NetAccess {
    /// The parameters of a net (for `grad(f, net)`), or nil when the object is not a layer.
    static func params(of object: NativeObject) -> [Param<Float>]? {
        (object as? LayerObject)?.layer.params
    }

    /// A parameter, buffer or layer by dotted path.
    static func lookup(_ layer: any Layer<Float>, _ path: String) throws -> Value {
        if let p = layer.param(path) { return .native(ParamObject(p)) }
        if let b = layer.buffer(path) { return .tensor(b.value) }
        if let l = layer.layer(at: path) { return .native(LayerObject(l)) }
        let known = layer.namedParams.map(\.path) + layer.namedBuffers.map(\.path)
        let hint = nearestName(to: path, among: known).map { " (did you mean \"\($0)\"?)" } ?? ""
        throw runtimeError("no parameter, buffer or layer at path \"\(path)\"\(hint)", kind: "key")
    }

    /// The printed form: a net as a table of its layers (index, layer, parameters) with the total,
    /// like Keras' summary without output shapes (`summary(net, input:)` adds them); a single
    /// layer as its one-line description (`Dense(4 -> 8, bias)`), which also reads well in lists.
    static func describe(_ layer: any Layer<Float>) -> String {
        if layer.children.isEmpty { return layer.description }
        let rows = layer.children.map { [$0.name, $0.layer.description.replacingOccurrences(of: "\n", with: " "), formatCount($0.layer.countParams)] }
        let trainable = layer.params.filter { !$0.isFrozen }.reduce(0) { $0 + $1.count }
        return TextTable.render(header: ["", layer.kind, "params"], rows: rows, closing: [[]], rightAlignedFrom: 2)
            + "total parameters: \(formatCount(layer.countParams))  (trainable: \(formatCount(trainable)))"
    }

    /// `412,778`.
    static func formatCount(_ n: Int) -> String { RuntimeError.grouped(n) }
}
