// Slicing optimizer state when a parameter loses entries (ShrinkNets' garbage collection), for every optimizer alike.

extension OptimizerCore {
    /// Cuts the state of the parameter at `path` the way the parameter itself was cut: every slot
    /// that had the parameter's old shape (momentum, Adam's m and v, AMSGrad's maximum, RVSM's u …)
    /// goes through `slice`; the step count is kept (it is per parameter, not per entry).
    ///
    /// All per-element state lives in `ParamState.slots`, so this one hook serves every
    /// element-wise optimizer; no optimizer has to know that units can be removed.
    /// - Returns: the number of slots cut.
    @discardableResult
    public func sliceState(path: String, oldShape: [Int], _ slice: (Tensor<Scalar>) -> Tensor<Scalar>) -> Int {
        guard let s = state[path] else { return 0 }
        var cut = 0
        for key in Array(s.slots.keys) {
            guard let slot = s.slots[key], slot.shape == oldShape else { continue }
            s.slots[key] = slice(slot)
            cut += 1
        }
        return cut
    }
}

/// An optimizer whose state is not per parameter entry (IHT's support indexes the flat vector of
/// all parameters), so removing units would leave it pointing at the wrong entries.
protocol KeepsFlatIndexState {}

extension IHT: KeepsFlatIndexState {}
