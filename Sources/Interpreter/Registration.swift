// The registration API: one spec per built-in, method and field, with signature and documentation.
import Lang

// How a Builtins domain file binds Core into the language (see also NativeObject.swift):
//
//     enum TensorBuiltins {
//         static let table: [BuiltinSpec] = [
//             BuiltinSpec("zeros", [.variadic("shape", "Int or List"), .named("dtype", "String", .string("f32"))],
//                         topic: "Tensors", summary: "A tensor of zeros.",
//                         details: "A shape is several Ints or one List.", example: "zeros(3, 4)") { a in
//                 .native(TensorBox(try Tensor<Float>(zeros: try a.shape("shape"))))   // the variadic, by name
//             },
//         ]
//     }
//
// then add `TensorBuiltins.table` to `Session.builtinTables` (Sources/Builtins/SessionTables.swift)
// and each native type's `MemberTable` to `Session.memberTables`. Argument readers take the
// parameter's name (`a.int("epochs")`, `a.double("lr")`, `a.string("pad")`,
// `a.native("opt", as: OptimizerObject.self)`, `a.shape("shape")`, `a.function("f")`; `a.call(f, [x])`
// calls back), so adding a parameter never shifts the others, and word every bad-argument error the
// same way; any Swift error a body throws (CoreError included) becomes a runtime error located at
// the call. A default that a Core type also has is read from that type's defaults (`SGDDefaults.lr`),
// so it is written once.

/// One parameter of a built-in or method.
public struct ParameterSpec {
    public enum Kind {
        /// Passed by position or by name.
        case positional
        /// Passed by name only (`lr:`).
        case named
        /// Takes every remaining positional argument (`zeros(3, 4)`); read with `Arguments.variadic`.
        case variadic
    }

    public enum Default {
        /// The caller must pass it.
        case required
        /// This value when omitted.
        case value(Value)
        /// Computed per call from the arguments bound before it; `display` is shown in signatures.
        case computed(display: String, (Arguments) throws -> Value)
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: Default
    /// The expected type in messages ("Int or List"); empty when anything goes.
    public var type: String

    public init(_ name: String, _ type: String = "", kind: Kind = .positional, default defaultValue: Default = .required) {
        self.name = name
        self.type = type
        self.kind = kind
        self.defaultValue = defaultValue
    }

    /// A required positional parameter.
    public static func required(_ name: String, _ type: String = "") -> ParameterSpec {
        ParameterSpec(name, type)
    }
    /// A positional parameter with a default value.
    public static func optional(_ name: String, _ type: String = "", _ value: Value) -> ParameterSpec {
        ParameterSpec(name, type, default: .value(value))
    }
    /// A named-only parameter with a default value.
    public static func named(_ name: String, _ type: String = "", _ value: Value) -> ParameterSpec {
        ParameterSpec(name, type, kind: .named, default: .value(value))
    }
    /// A variadic parameter taking the remaining positional arguments.
    public static func variadic(_ name: String, _ type: String = "") -> ParameterSpec {
        ParameterSpec(name, type, kind: .variadic, default: .value(.null))
    }

    /// How the parameter appears in a signature: `a`, `b = 2`, `lr: 0.001`, `shape...`.
    public var signatureText: String {
        let d: String?
        switch defaultValue {
        case .required: d = nil
        case .value(let v): d = v.repr
        case .computed(let display, _): d = display
        }
        switch kind {
        case .variadic: return "\(name)..."
        case .named: return "\(name): \(d ?? "required")"
        case .positional: return d.map { "\(name) = \($0)" } ?? name
        }
    }
}

/// A built-in function or method: name, signature, documentation and implementation.
///
/// Register a domain's built-ins as `static let table: [BuiltinSpec]` in one Builtins file; the
/// Session installs every table. Methods of a native type go into its `MemberTable`; their body
/// finds the object in `Arguments.receiver`.
public struct BuiltinSpec {
    public var name: String
    public var parameters: [ParameterSpec]
    /// The BUILTINS.md section heading this belongs to ("Core language helpers", "Tensors", ...).
    public var topic: String
    /// One line for `help()` listings.
    public var summary: String
    /// A paragraph for `?name`.
    public var details: String
    /// Example code for `?name`.
    public var example: String
    /// The implementation: read arguments through `Arguments` helpers, call Core, wrap the result.
    public var body: (Arguments) throws -> Value

    public init(_ name: String, _ parameters: [ParameterSpec], topic: String, summary: String,
                details: String = "", example: String = "", body: @escaping (Arguments) throws -> Value) {
        self.name = name
        self.parameters = parameters
        self.topic = topic
        self.summary = summary
        self.details = details
        self.example = example
        self.body = body
    }

    /// `name(a, b = 2, step: 1)`.
    public var signature: String {
        "\(name)(\(parameters.map(\.signatureText).joined(separator: ", ")))"
    }
}

/// A field of a native type: documented, readable, optionally assignable.
public struct FieldSpec {
    public var name: String
    public var type: String
    public var summary: String
    public var getter: (NativeObject) throws -> Value
    /// nil for read-only fields. Returns the object to store back (see `NativeObject`).
    public var setter: ((NativeObject, Value) throws -> NativeObject)?

    public init(_ name: String, _ type: String = "", summary: String,
                get: @escaping (NativeObject) throws -> Value,
                set: ((NativeObject, Value) throws -> NativeObject)? = nil) {
        self.name = name
        self.type = type
        self.summary = summary
        self.getter = get
        self.setter = set
    }

    public var isAssignable: Bool { setter != nil }
}

/// The documented members of one native type. Keep one `static let members` per type.
public struct MemberTable {
    public var typeName: String
    public var summary: String
    public var fields: [FieldSpec]
    public var methods: [BuiltinSpec]
    private let fieldIndex: [String: Int]
    private let methodIndex: [String: Int]

    public init(typeName: String, summary: String = "", fields: [FieldSpec] = [], methods: [BuiltinSpec] = []) {
        self.typeName = typeName
        self.summary = summary
        self.fields = fields
        self.methods = methods
        fieldIndex = Dictionary(fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        methodIndex = Dictionary(methods.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func field(_ name: String) -> FieldSpec? { fieldIndex[name].map { fields[$0] } }
    public func method(_ name: String) -> BuiltinSpec? { methodIndex[name].map { methods[$0] } }
    public var names: [String] { (fields.map(\.name) + methods.map(\.name)).sorted() }
}

/// Arguments as written at a call: positional, then named.
public struct CallArguments {
    public var positional: [Value]
    public var named: [(name: String, value: Value)]
    /// Where each named argument's name is, for messages (parallel to `named`; may be empty).
    public var namedSpans: [SourceSpan?]

    public init(_ positional: [Value] = [], named: [(name: String, value: Value)] = [], namedSpans: [SourceSpan?] = []) {
        self.positional = positional
        self.named = named
        self.namedSpans = namedSpans
    }
}

/// A built-in function value, possibly bound to a receiver (`f = t.sum`).
public final class BuiltinFunction {
    public let spec: BuiltinSpec
    public let receiver: Value?
    public init(spec: BuiltinSpec, receiver: Value? = nil) {
        self.spec = spec
        self.receiver = receiver
    }
}

// Registration tables are immutable after creation and used by one evaluation thread at a time, so
// they may be kept in `static let` tables under Swift 6's strict checking.
extension BuiltinSpec: @unchecked Sendable {}
extension ParameterSpec: @unchecked Sendable {}
extension FieldSpec: @unchecked Sendable {}
extension MemberTable: @unchecked Sendable {}
extension Value: @unchecked Sendable {}
