// Selection: sort, argsort, top-k, hard thresholding (keep the s largest |t_i|), soft thresholding.

extension Tensor {
    /// The elements sorted along `axis` (default: the last), ascending unless `descending`.
    /// NaNs sort after every number; equal elements keep their order (stable).
    /// - Throws: `CoreError.badArgument` for a bad axis or a 0-d tensor.
    @_specialize(where Scalar == Float)
    public func sorted(axis: Int = -1, descending: Bool = false) throws -> Tensor {
        try sortAlong(axis: axis, descending: descending, op: "sort").values
    }

    /// The indices that sort the elements along `axis`, as scalars (stable; see `sorted`).
    /// - Throws: `CoreError.badArgument` for a bad axis or a 0-d tensor.
    @_specialize(where Scalar == Float)
    public func argsort(axis: Int = -1, descending: Bool = false) throws -> Tensor {
        try sortAlong(axis: axis, descending: descending, op: "argsort").indices
    }

    /// The `k` largest elements along `axis` (the smallest when `largest` is false), ordered from
    /// the most extreme, with their indices; ties go to the lower index.
    /// - Throws: `CoreError.badArgument` for a bad axis or `k` outside `0...extent`.
    @_specialize(where Scalar == Float)
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        guard rank > 0 else {
            throw CoreError.badArgument(op: "topk", message: "needs a tensor of rank 1 or more, got a 0-d tensor")
        }
        let ax = try Tensor.normalize(axis: axis, rank: rank, op: "topk", shape: shape)
        guard k >= 0, k <= shape[ax] else {
            throw CoreError.badArgument(op: "topk",
                message: "k = \(k) is out of range for axis \(ax) of extent \(shape[ax]) in shape \(Tensor.describe(shape))")
        }
        let (values, indices) = try sortAlong(axis: ax, descending: largest, op: "topk")
        let keep: [TensorIndex] = (0..<rank).map { $0 == ax ? .slice(start: 0, stop: k, step: 1) : .all }
        return (try values.slice(keep), try indices.slice(keep))
    }

    /// Keeps the `s` elements of largest magnitude (over the whole tensor) and zeroes the rest:
    /// the projection of iterative hard thresholding. Among equal magnitudes the lower flat index
    /// is kept, so the result is deterministic. NaNs count as the smallest magnitudes.
    /// - Throws: `CoreError.badArgument` for a negative `s`.
    @_specialize(where Scalar == Float)
    public func hardThreshold(_ s: Int) throws -> Tensor {
        guard s >= 0 else {
            throw CoreError.badArgument(op: "hard_threshold", message: "s must be non-negative, got \(s)")
        }
        if s >= count { return self }
        var out = [Scalar](repeating: 0, count: count)
        if s == 0 { return Tensor(uncheckedShape: shape, scalars: out) }
        var magnitudes = scalars.map { $0.isNaN ? -1 : Swift.abs($0) }
        let cut = Tensor.select(&magnitudes, rank: s - 1)
        // Keep everything above the cut, then as many entries equal to the cut as still fit.
        var aboveCount = 0
        for v in scalars where !v.isNaN && Swift.abs(v) > cut { aboveCount += 1 }
        var ties = s - aboveCount
        for i in 0..<count {
            let v = scalars[i]
            let m = v.isNaN ? -1 : Swift.abs(v)
            if m > cut {
                out[i] = v
            } else if m == cut && ties > 0 {
                out[i] = v
                ties -= 1
            }
        }
        return Tensor(uncheckedShape: shape, scalars: out)
    }

    /// The proximal map of `tau·‖x‖₁`: sign(x) · max(|x| − tau, 0), element-wise.
    /// - Throws: `CoreError.badArgument` for a negative or NaN `tau`.
    @_specialize(where Scalar == Float)
    public func softThreshold(_ tau: Scalar) throws -> Tensor {
        guard tau >= 0 else {
            throw CoreError.badArgument(op: "soft_threshold", message: "tau must be non-negative, got \(tau)")
        }
        return map { x in x > tau ? x - tau : (x < -tau ? x + tau : (x.isNaN ? x : 0)) }
    }

    /// The value of rank `r` (0 = largest) among `values`, rearranging them (Hoare's selection
    /// with a median-of-three pivot: linear on average, deterministic).
    static func select(_ values: inout [Scalar], rank r: Int) -> Scalar {
        var lo = 0, hi = values.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            // Median of three, ordered descending.
            if values[mid] > values[lo] { values.swapAt(mid, lo) }
            if values[hi] > values[lo] { values.swapAt(hi, lo) }
            if values[hi] > values[mid] { values.swapAt(hi, mid) }
            let pivot = values[mid]
            var i = lo, j = hi
            while i <= j {
                while values[i] > pivot { i += 1 }
                while values[j] < pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if r <= j { hi = j } else if r >= i { lo = i } else { return values[r] }
        }
        return values[r]
    }

    /// Sorted values and their indices along one axis.
    func sortAlong(axis: Int, descending: Bool, op: String) throws -> (values: Tensor, indices: Tensor) {
        guard rank > 0 else {
            throw CoreError.badArgument(op: op, message: "needs a tensor of rank 1 or more, got a 0-d tensor")
        }
        let ax = try Tensor.normalize(axis: axis, rank: rank, op: op, shape: shape)
        let length = shape[ax]
        let outer = shape[..<ax].reduce(1, &*), inner = shape[(ax + 1)...].reduce(1, &*)
        var values = scalars, indices = [Scalar](repeating: 0, count: count)
        var order = [Int](repeating: 0, count: length), key = [Scalar](repeating: 0, count: length)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o &* length &* inner &+ i
                for k in 0..<length { key[k] = scalars[base &+ k &* inner]; order[k] = k }
                // NaN last in both directions; ties by index, so the order is total and stable.
                order.sort { a, b in
                    let x = key[a], y = key[b]
                    if x.isNaN || y.isNaN { return !x.isNaN && y.isNaN || (x.isNaN && y.isNaN && a < b) }
                    if x == y { return a < b }
                    return descending ? x > y : x < y
                }
                for k in 0..<length {
                    values[base &+ k &* inner] = key[order[k]]
                    indices[base &+ k &* inner] = Scalar(order[k])
                }
            }
        }
        return (Tensor(uncheckedShape: shape, scalars: values), Tensor(uncheckedShape: shape, scalars: indices))
    }
}
