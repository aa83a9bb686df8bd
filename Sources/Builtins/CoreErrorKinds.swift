// Gives Core's errors their kind in the language (`e.kind` in a catch).
import Core
import Interpreter

extension CoreError: KindedError {
    public var errorKind: String {
        switch self {
        case .shapeMismatch: return "shape"
        case .badArgument: return "value"
        case .badFile: return "io"
        }
    }
}

extension LayerError: KindedError {
    public var errorKind: String { (underlying as? KindedError)?.errorKind ?? "value" }
}

extension TrainingError: KindedError {
    public var errorKind: String { "training" }
}
