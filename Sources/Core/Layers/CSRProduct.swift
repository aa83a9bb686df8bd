// The product of a CSR matrix with a batch of rows (SparseDense's forward): batch rows in SIMD panels, each output held in registers.

/// How many 8-lane vectors of batch rows one panel of the CSR product holds. The row kernel is
/// generic over it, so each width is compiled as its own loop with its accumulators in registers
/// (a width passed as a plain Int was merged into one loop that tests it on every stored entry).
protocol CSRPanelWidth { static var vectors: Int { get } }
enum CSRPanelOfEight: CSRPanelWidth { static var vectors: Int { 1 } }
enum CSRPanelOfSixteen: CSRPanelWidth { static var vectors: Int { 2 } }
enum CSRPanelOfThirtyTwo: CSRPanelWidth { static var vectors: Int { 4 } }

extension CSRMatrix {
    /// Batch rows per panel at most. Measured on the 1568 → 256 layer at batch 64: 32 beat 64 (a
    /// panel of 64 is 400 KB, and each stored entry then reads 256 bytes from it) and 16 and 8.
    static var panelLanes: Int { 32 }

    /// Below this many multiply-adds (stored entries × batch rows) one core does the whole
    /// product: measured here, a second thread gained nothing at 1–3 M and about 1.1× at 10 M.
    static var parallelMinimum: Int { 1 << 23 }

    /// y[b, r] = bias[r] + Σ_k values[k] · x[b, columnIndices[k]] over row r's stored entries
    /// (then max(0, ·) when `relu`; NaN passes, as in relu), for x [n, columns] and y [n, rows],
    /// both row-major.
    ///
    /// The batch is cut into panels of up to 32 rows. A panel is transposed into scratch
    /// [columns, 8·v] (v vectors, padding lanes zero), so that one stored entry meets all the
    /// panel's rows in one contiguous run: per entry one broadcast and v fused multiply-adds into
    /// accumulators that stay in registers for the whole output row. Every output is one chain of
    /// fused multiply-adds in stored order starting from its bias, so a batch row's result does not
    /// depend on the batch it came in or on the core that ran it. Panels go to both cores only for
    /// a large product (`parallelMinimum`).
    /// - Parameters:
    ///   - x: n · columns entries.
    ///   - bias: nil or `rows` entries.
    @_specialize(where Scalar == Float)
    func multiply(_ x: [Scalar], count n: Int, bias: [Scalar]?, relu: Bool) -> [Scalar] {
        // SparseDense checks the input's shape and builds the bias from the Dense layer's [out].
        precondition(x.count == n &* columns && (bias.map { $0.count == rows } ?? true), "CSR product: operand sizes")
        var y = Tensor<Scalar>.scratch(n &* rows)   // every entry is written below
        guard n > 0, rows > 0 else { return y }
        let panels = (n + Self.panelLanes - 1) / Self.panelLanes
        let bias = bias ?? [Scalar](repeating: 0, count: rows)
        values.withUnsafeBufferPointer { pv in
            columnIndices.withUnsafeBufferPointer { pc in
                rowPointers.withUnsafeBufferPointer { pr in
                    bias.withUnsafeBufferPointer { pb in
                        x.withUnsafeBufferPointer { px in
                            y.withUnsafeMutableBufferPointer { py in
                                // rows > 0 and n > 0, so these arrays are not empty; x, values and columns
                                // may be (no input column, no stored entry), and are never read then.
                                guard let rp = pr.baseAddress, let b = pb.baseAddress, let y0 = py.baseAddress else { return }
                                let x0 = px.baseAddress ?? b
                                let entries = CSREntries(values: pv.baseAddress ?? UnsafePointer(b),
                                                         columns: pc.baseAddress ?? UnsafePointer(rp), rowPointers: rp,
                                                         bias: b, rows: rows, columns: columns, relu: relu)
                                let minimum = nonZeros &* n >= Self.parallelMinimum ? 2 : Int.max
                                parallelChunks(panels, minimum: minimum) { lo, hi in
                                    // Each core its own scratch: one panel and its outputs [rows, lanes].
                                    let lanes = Self.panelLanes
                                    let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: (columns &+ rows) &* lanes)
                                    defer { scratch.deallocate() }
                                    for p in lo..<hi {
                                        let first = p &* lanes
                                        entries.panel(x0 + first &* columns, batchRows: Swift.min(lanes, n &- first),
                                                      into: y0 + first &* rows, scratch: scratch)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }
}

/// A CSR matrix and the product's options as raw pointers, for the kernel's inner loops.
struct CSREntries<Scalar: TensorScalar> {
    let values: UnsafePointer<Scalar>
    let columns: UnsafePointer<Int32>
    let rowPointers: UnsafePointer<Int32>
    let bias: UnsafePointer<Scalar>
    let rows: Int
    let columnCount: Int
    let relu: Bool

    init(values: UnsafePointer<Scalar>, columns: UnsafePointer<Int32>, rowPointers: UnsafePointer<Int32>,
         bias: UnsafePointer<Scalar>, rows: Int, columns columnCount: Int, relu: Bool) {
        self.values = values
        self.columns = columns
        self.rowPointers = rowPointers
        self.bias = bias
        self.rows = rows
        self.columnCount = columnCount
        self.relu = relu
    }

    /// The outputs of `batchRows` (1...32) consecutive rows of x into the same rows of y, with
    /// the narrowest panel that holds them.
    @inline(__always)
    func panel(_ x: UnsafePointer<Scalar>, batchRows: Int, into y: UnsafeMutablePointer<Scalar>,
               scratch: UnsafeMutablePointer<Scalar>) {
        if batchRows > 16 {
            panel(x, batchRows: batchRows, into: y, scratch: scratch, CSRPanelOfThirtyTwo.self)
        } else if batchRows > 8 {
            panel(x, batchRows: batchRows, into: y, scratch: scratch, CSRPanelOfSixteen.self)
        } else {
            panel(x, batchRows: batchRows, into: y, scratch: scratch, CSRPanelOfEight.self)
        }
    }

    @inline(never)
    func panel<Width: CSRPanelWidth>(_ x: UnsafePointer<Scalar>, batchRows: Int, into y: UnsafeMutablePointer<Scalar>,
                                     scratch: UnsafeMutablePointer<Scalar>, _: Width.Type) {
        let lanes = 8 &* Width.vectors
        let xT = scratch, yT = scratch + columnCount &* lanes
        transpose(x, batchRows: batchRows, lanes: lanes, into: xT)
        rowsOfPanel(xT, into: yT, Width.self)
        // yT [rows, lanes] → y [batchRows, rows], in blocks of 16 outputs so the writes stay in a few lines.
        for r0 in stride(from: 0, to: rows, by: 16) {
            let r1 = Swift.min(r0 &+ 16, rows)
            for l in 0..<batchRows {
                let out = y + l &* rows
                for r in r0..<r1 { out[r] = yT[r &* lanes &+ l] }
            }
        }
    }

    /// xT[c, l] = x[l, c] for l < batchRows and 0 in the padding lanes: 8 × 8 blocks transposed
    /// in registers (eight row loads, eight column stores; twice as fast as a strided store per
    /// entry), then the columns and rows past the last whole block one entry at a time.
    @inline(__always)
    private func transpose(_ x: UnsafePointer<Scalar>, batchRows: Int, lanes: Int, into xT: UnsafeMutablePointer<Scalar>) {
        typealias V = SIMD8<Scalar>
        if batchRows < lanes { xT.update(repeating: 0, count: columnCount &* lanes) }
        let wholeRows = batchRows & ~7, wholeColumns = columnCount & ~7
        for l0 in stride(from: 0, to: wholeRows, by: 8) {
            for c0 in stride(from: 0, to: wholeColumns, by: 8) {
                @inline(__always) func row(_ i: Int) -> V {
                    UnsafeRawPointer(x + ((l0 &+ i) &* columnCount &+ c0)).loadUnaligned(as: V.self)
                }
                let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5), r6 = row(6), r7 = row(7)
                for j in 0..<8 {
                    UnsafeMutableRawPointer(xT + ((c0 &+ j) &* lanes &+ l0))
                        .storeBytes(of: V(r0[j], r1[j], r2[j], r3[j], r4[j], r5[j], r6[j], r7[j]), as: V.self)
                }
            }
            for c in wholeColumns..<columnCount {
                for i in 0..<8 { xT[c &* lanes &+ l0 &+ i] = x[(l0 &+ i) &* columnCount &+ c] }
            }
        }
        for l in wholeRows..<batchRows {
            let src = x + l &* columnCount
            for c in 0..<columnCount { xT[c &* lanes &+ l] = src[c] }
        }
    }

    /// yT[r, 0..<lanes] for every output row r: the row's accumulators stay in registers across
    /// all its stored entries, each entry one broadcast and `Width.vectors` fused multiply-adds.
    @inline(__always)
    private func rowsOfPanel<Width: CSRPanelWidth>(_ xT: UnsafePointer<Scalar>, into yT: UnsafeMutablePointer<Scalar>,
                                                   _: Width.Type) {
        typealias V = SIMD8<Scalar>
        let vectors = Width.vectors, lanes = 8 &* vectors
        let zero = V(repeating: 0)
        for r in 0..<rows {
            let start = V(repeating: bias[r])
            var a0 = start, a1 = start, a2 = start, a3 = start
            var k = Int(rowPointers[r])
            let end = Int(rowPointers[r &+ 1])
            while k < end {
                let v = V(repeating: values[k])
                let src = UnsafeRawPointer(xT + Int(columns[k]) &* lanes)
                a0 = a0.addingProduct(v, src.loadUnaligned(as: V.self))
                if vectors > 1 { a1 = a1.addingProduct(v, src.loadUnaligned(fromByteOffset: MemoryLayout<V>.stride, as: V.self)) }
                if vectors > 2 {
                    a2 = a2.addingProduct(v, src.loadUnaligned(fromByteOffset: 2 &* MemoryLayout<V>.stride, as: V.self))
                    a3 = a3.addingProduct(v, src.loadUnaligned(fromByteOffset: 3 &* MemoryLayout<V>.stride, as: V.self))
                }
                k &+= 1
            }
            if relu {
                // The per-type lane maximum: a generic `.<` here compiled to a loop over the lanes.
                a0 = Scalar.laneMaximum(a0, zero)
                a1 = Scalar.laneMaximum(a1, zero)
                a2 = Scalar.laneMaximum(a2, zero)
                a3 = Scalar.laneMaximum(a3, zero)
            }
            let out = UnsafeMutableRawPointer(yT + r &* lanes)
            out.storeBytes(of: a0, as: V.self)
            if vectors > 1 { out.storeBytes(of: a1, toByteOffset: MemoryLayout<V>.stride, as: V.self) }
            if vectors > 2 {
                out.storeBytes(of: a2, toByteOffset: 2 &* MemoryLayout<V>.stride, as: V.self)
                out.storeBytes(of: a3, toByteOffset: 3 &* MemoryLayout<V>.stride, as: V.self)
            }
        }
    }
}
