// The fields of Layer and Net values: layers, kind, training, parameter count.
import Core
import Interpreter

enum LayerMembers {
    static func layer(_ o: NativeObject) -> any Layer<Float> { (o as! LayerObject).layer }

    static let table = MemberTable(
        typeName: "Net",
        summary: "A layer or a network of layers, shared by reference.",
        fields: [
            FieldSpec("layers", "List", summary: "the child layers, in order",
                      get: { .list(layer($0).children.map { .native(LayerObject($0.layer)) }) }),
            FieldSpec("kind", "String", summary: "the layer kind: Dense, Conv2D, Sequential, ...",
                      get: { .string(layer($0).kind) }),
            FieldSpec("training", "Bool", summary: "true in training mode (dropout active, batch statistics)",
                      get: { .bool(layer($0).isTraining) }),
            FieldSpec("param_count", "Int", summary: "the number of trainable values",
                      get: { .int(layer($0).countParams) }),
        ])
}
