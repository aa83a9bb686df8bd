// A report object that stands for one number in arithmetic and comparisons (`sparsity(net) > 0.5`, `bits(net) < 3`).
import Interpreter
import Lang

/// A report that prints as its table but computes as its headline figure (`scalarValue`).
protocol ScalarReport: NativeObject {}

extension ScalarReport {
    public func binary(_ op: Lang.BinaryOperator, _ other: Value, reversed: Bool) throws -> Value? {
        guard let a = scalarValue.map(Value.float) else { return nil }
        return try reversed ? Operators.binary(op, other, a) : Operators.binary(op, a, other)
    }

    public func compare(_ op: ComparisonOperator, _ other: Value, reversed: Bool) throws -> Value? {
        guard let a = scalarValue.map(Value.float) else { return nil }
        return try reversed ? Operators.compare(op, other, a) : Operators.compare(op, a, other)
    }
}
