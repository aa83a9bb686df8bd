// Wide ResNets (WRN-L-w) and their soft-shared variant SWRN-L-w-k: pre-activation blocks, one template bank per stage.

/// A pre-activation residual block (Zagoruyko & Komodakis 2016):
/// a = ReLU(BN1(x)); r = shortcut(a) when the shape changes, x otherwise;
/// out = conv2(Dropout(ReLU(BN2(conv1(a))))) + r.
///
/// conv1 and conv2 are any convolutions (Conv2D or SharedConv); the shortcut is a 1×1 Conv2D.
public final class PreActBlock<Scalar: TensorScalar>: Layer {
    public let bn1: BatchNorm<Scalar>
    public let conv1: any Layer<Scalar>
    public let bn2: BatchNorm<Scalar>
    public let dropout: Dropout<Scalar>?
    public let conv2: any Layer<Scalar>
    public let shortcut: Conv2D<Scalar>?
    public var isTraining = true

    public init(bn1: BatchNorm<Scalar>, conv1: any Layer<Scalar>, bn2: BatchNorm<Scalar>, dropout: Dropout<Scalar>?,
                conv2: any Layer<Scalar>, shortcut: Conv2D<Scalar>?) {
        self.bn1 = bn1
        self.conv1 = conv1
        self.bn2 = bn2
        self.dropout = dropout
        self.conv2 = conv2
        self.shortcut = shortcut
    }

    public var kind: String { "PreActBlock" }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        var index = 0
        func run(_ layer: any Layer<Scalar>, _ x: Variable<Scalar>) throws -> Variable<Scalar> {
            defer { index += 1 }
            do { return try layer.forward(x) } catch { throw LayerError.wrap(error, index: index, kind: layer.kind, container: kind) }
        }
        let a = try run(bn1, input).relu()
        let r = try shortcut.map { try run($0, a) } ?? input
        var h = try run(bn2, try run(conv1, a)).relu()
        if let dropout { h = try run(dropout, h) }
        h = try run(conv2, h)
        guard h.shape == r.shape else {
            throw CoreError.shapeMismatch(op: kind, shapes: [h.shape, r.shape],
                message: "the block's body gives \(Tensor<Float>.describe(h.shape)) and its shortcut \(Tensor<Float>.describe(r.shape)); give a shortcut when the shape changes")
        }
        return try h.adding(r)
    }

    public var children: [(name: String, layer: any Layer<Scalar>)] {
        var out: [(String, any Layer<Scalar>)] = [("bn1", bn1), ("conv1", conv1), ("bn2", bn2)]
        if let dropout { out.append(("dropout", dropout)) }
        out.append(("conv2", conv2))
        if let shortcut { out.append(("shortcut", shortcut)) }
        return out
    }

    public func copy() -> any Layer<Scalar> {
        // The children's copies are typed as what they were made from; the casts cannot fail.
        let c = PreActBlock(bn1: (bn1.copy() as? BatchNorm<Scalar>) ?? bn1, conv1: conv1.copy(),
                            bn2: (bn2.copy() as? BatchNorm<Scalar>) ?? bn2, dropout: dropout.flatMap { $0.copy() as? Dropout<Scalar> },
                            conv2: conv2.copy(), shortcut: shortcut.flatMap { $0.copy() as? Conv2D<Scalar> })
        c.isTraining = isTraining
        keepBanksShared(original: self, copy: c)
        return c
    }

    public var description: String {
        "PreActBlock(\(conv1.description), \(conv2.description)\(shortcut == nil ? "" : ", shortcut"))"
    }
}

/// The settings of `wideResNet`, written once.
public enum WideResNetDefaults {
    public static let classes = 10
    public static let inChannels = 1
    public static let image = 28
    public static let dropout = 0.0
}

/// WRN-depth-width (templates 0) or SWRN-depth-width-k (templates k ≥ 1), spec §6.1.
///
/// depth = 6n + 4 with n blocks per stage; channels 16, 16w, 32w, 64w; stage strides 1, 2, 2. The
/// stem is a 3×3 conv; each stage's first block is a transition block (its convs and 1×1
/// shortcut never shared); in SWRN the convs of blocks 2…n of a stage (2(n−1) layers) mix one
/// bank of k templates [C, C, 3, 3]. Head: BN, ReLU, global average pool, linear. Convs are
/// Kaiming-normal and bias-free; the linear layer keeps PyTorch's default.
/// - Throws: `CoreError.badArgument` for a depth that is not 6n + 4 (n ≥ 1), a width below 1 or
///   negative templates.
public func wideResNet<S: TensorScalar>(depth: Int, width: Int, templates: Int = 0, classes: Int = WideResNetDefaults.classes,
                                        inChannels: Int = WideResNetDefaults.inChannels, image: Int = WideResNetDefaults.image,
                                        dropout: Double = WideResNetDefaults.dropout, using rng: inout RandomStream) throws -> Sequential<S> {
    guard depth >= 10, (depth - 4) % 6 == 0 else {
        throw CoreError.badArgument(op: "wrn", message: "depth must be 6n + 4 with n ≥ 1 (10, 16, 22, 28, 40, …), got \(depth)")
    }
    try Initialization.positive(width, "width", op: "wrn")
    try Initialization.positive(image, "image", op: "wrn")
    guard templates >= 0 else { throw CoreError.badArgument(op: "wrn", message: "templates must be 0 (no sharing) or at least 1, got \(templates)") }
    let n = (depth - 4) / 6
    func kaiming(_ conv: Conv2D<S>) throws -> Conv2D<S> {
        let fanIn = conv.inChannels * conv.kernel * conv.kernel
        conv.weight.value = try Tensor.normal(conv.weight.value.shape, std: S((2 / Double(fanIn)).squareRoot()), using: &rng)
        return conv
    }
    func conv(_ i: Int, _ o: Int, _ k: Int, stride: Int) throws -> Conv2D<S> {
        try kaiming(try Conv2D(i, o, kernel: k, stride: stride, padding: .explicit(k / 2), bias: false, using: &rng))
    }
    func drop() throws -> Dropout<S>? { dropout > 0 ? try Dropout(dropout, using: &rng) : nil }
    var layers: [any Layer<S>] = [try conv(inChannels, 16, 3, stride: 1)]
    let channels = [16, 16 * width, 32 * width, 64 * width]
    var size = image
    for stage in 0..<3 {
        let (cin, cout, stride) = (channels[stage], channels[stage + 1], stage == 0 ? 1 : 2)
        layers.append(PreActBlock(bn1: try BatchNorm(cin), conv1: try conv(cin, cout, 3, stride: stride), bn2: try BatchNorm(cout),
                                  dropout: try drop(), conv2: try conv(cout, cout, 3, stride: 1),
                                  shortcut: cin == cout && stride == 1 ? nil : try conv(cin, cout, 1, stride: stride)))
        size = (size + 2 - 3) / stride + 1
        let bank = templates > 0 ? try TemplateBank<S>(k: templates, shape: [cout, cout, 3, 3], using: &rng) : nil
        for _ in 1..<Swift.max(n, 1) {
            func inner() throws -> any Layer<S> {
                if let bank { return try SharedConv(bank: bank, stride: 1, padding: .explicit(1)) }
                return try conv(cout, cout, 3, stride: 1)
            }
            layers.append(PreActBlock(bn1: try BatchNorm(cout), conv1: try inner(), bn2: try BatchNorm(cout), dropout: try drop(),
                                      conv2: try inner(), shortcut: nil))
        }
    }
    layers += [try BatchNorm<S>(channels[3]), ReLU<S>(), try AvgPool<S>(size), Flatten<S>(),
               try Dense<S>(channels[3], classes, using: &rng)]
    return Sequential(layers)
}

/// The shortest-path task's CNN (spec §6.3), or its SCNN with one bank of `templates` over the
/// 3×3 layers: a 1×1 conv 2 → channels, `layers` × residual(3×3 conv, BN, ReLU), a 1×1 conv
/// channels → 1 (with bias) giving one logit per pixel.
/// - Throws: `CoreError.badArgument` for sizes below 1 or negative templates.
public func pathCNN<S: TensorScalar>(layers count: Int = 20, channels: Int = 32, templates: Int = 0,
                                     using rng: inout RandomStream) throws -> Sequential<S> {
    try Initialization.positive(count, "layers", op: "path_cnn")
    try Initialization.positive(channels, "channels", op: "path_cnn")
    guard templates >= 0 else { throw CoreError.badArgument(op: "path_cnn", message: "templates must be 0 (no sharing) or at least 1, got \(templates)") }
    let bank = templates > 0 ? try TemplateBank<S>(k: templates, shape: [channels, channels, 3, 3], using: &rng) : nil
    var layers: [any Layer<S>] = [try Conv2D<S>(2, channels, kernel: 1, padding: .valid, bias: false, using: &rng)]
    for _ in 0..<count {
        let conv: any Layer<S> = try bank.map { try SharedConv(bank: $0, padding: .explicit(1)) }
            ?? Conv2D<S>(channels, channels, kernel: 3, padding: .explicit(1), bias: false, using: &rng)
        layers.append(Residual(Sequential([conv, try BatchNorm<S>(channels), ReLU<S>()])))
    }
    layers.append(try Conv2D<S>(channels, 1, kernel: 1, padding: .valid, using: &rng))
    return Sequential(layers)
}
