// What `explain` says about a template bank and its shared layers, with their live numbers.

extension TemplateBank: Explainable {
    public var explanation: Explanation {
        let ms = members
        var numbers = [ExplainedValue("templates k", k), ExplainedValue("template shape", Tensor<Float>.describe(shape)),
                       ExplainedValue("d (per template)", templateSize), ExplainedValue("layers using it", ms.count),
                       ExplainedValue("template params", templates.count),
                       ExplainedValue("coefficients", ms.reduce(0) { $0 + $1.alpha.count }),
                       ExplainedValue("unshared equivalent", ms.count * templateSize)]
        numbers.append(ExplainedValue("‖T_i‖", templateNorms.map(Explanation.format).joined(separator: ", ")))
        if !ms.isEmpty {
            if let count = try? effectiveTemplateCount() { numbers.append(ExplainedValue("effective templates", count)) }
            if let s = try? similarity(.alpha) {
                let off = s.count > 1 ? (s.total - Double(s.count)) / Double(s.count * (s.count - 1)) : 1
                numbers.append(ExplainedValue("mean off-diagonal LSM", off))
            }
            numbers.append(ExplainedValue("one-hotness", ms.map { Explanation.format($0.onehotness) }.joined(separator: ", ")))
        }
        return Explanation("bank(\(k), \(Tensor<Float>.describe(shape)))",
                           summary: "k templates mixed by every layer that uses it (soft parameter sharing, Savarese & Maire 2019).",
                           formula: ["W⁽ˡ⁾ = Σᵢ αᵢ⁽ˡ⁾ Tᵢ   (one GEMM [1, k]·[k, d] per layer and step)",
                                     "dT = Σ_l α⁽ˡ⁾ ⊗ dW⁽ˡ⁾ (summed over the layers),  dα⁽ˡ⁾ᵢ = ⟨dW⁽ˡ⁾, Tᵢ⟩",
                                     "LSM S[l, l'] = |cos(α⁽ˡ⁾, α⁽ˡ'⁾)|; decay on T, none on α"],
                           numbers: numbers)
    }
}

extension SharedWeight {
    /// α, ‖α‖, one-hotness and ‖W‖ of one shared layer.
    var explainedNumbers: [ExplainedValue] {
        var out: [ExplainedValue] = []
        if let g = tiedIndex {
            out.append(ExplainedValue("template", g))
            out.append(ExplainedValue("scale c", Double(alpha.value.scalars.first?.doubleValue ?? 0)))
        } else {
            out.append(ExplainedValue("α", mixture.map(Explanation.format).joined(separator: ", ")))
            out.append(ExplainedValue("‖α‖", mixture.reduce(0) { $0 + $1 * $1 }.squareRoot()))
            out.append(ExplainedValue("one-hotness", onehotness))
            out.append(ExplainedValue("nearest template", nearestTemplate))
        }
        out.append(ExplainedValue("bank layers", bank.members.count))
        if let w = try? effectiveWeight() { out.append(ExplainedValue("‖W‖", Explanation.norm(w))) }
        return out
    }

    var explainedFormula: String {
        tiedIndex.map { "W = c · T\($0) (folded: one template, a scale per step)" } ?? "W = Σᵢ αᵢ Tᵢ over \(bank.k) templates"
    }
}

extension SharedConv: Explainable {
    public var explanation: Explanation {
        Explanation(description, summary: "a convolution whose kernel mixes a template bank's templates.",
                    formula: [shared.explainedFormula, "y = W ⋆ x,  W [\(outChannels), \(inChannels), \(kernel), \(kernel)]"],
                    numbers: [ExplainedValue("stride", stride), ExplainedValue("padding", padding.description),
                              ExplainedValue("own params (α)", shared.alpha.count)] + shared.explainedNumbers)
    }
}

extension SharedDense: Explainable {
    public var explanation: Explanation {
        Explanation(description, summary: "a fully connected layer whose weight mixes a template bank's templates.",
                    formula: [shared.explainedFormula, "y = x @ W" + (bias == nil ? "" : " + b") + ",  W [\(inputs), \(outputs)]"],
                    numbers: [ExplainedValue("own params (α, bias)", shared.alpha.count + (bias?.count ?? 0))] + shared.explainedNumbers)
    }
}

extension Recurrence: Explainable {
    public var explanation: Explanation {
        var numbers = [ExplainedValue("lambda", lambda), ExplainedValue("steps", core.steps)]
        if let p = lastPenalty { numbers.append(ExplainedValue("last penalty", p)) }
        let inner = (self.inner as? any Explainable)?.explanation
        return Explanation("recurrence", summary: "rewards the layers of each bank for becoming alike (thesis eq. 3.19).",
                           formula: ["loss = data loss − λ Σ_banks Σ_{l,l'} |cos(α⁽ˡ⁾, α⁽ˡ'⁾)|"],
                           numbers: numbers, parts: inner.map { [$0] } ?? [])
    }
}
