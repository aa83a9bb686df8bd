#!/usr/bin/env bash
# W4 peer: scikit-learn's Lasso (alpha 0.1) on the data scripts/bench/lasso.wh saved (OUT, default
# /tmp/whittle_bench_lasso), so both fit the same numbers; on scikit-learn's own make_regression
# draws of the W4 sizes (seed 42) when that file is missing.
#
# Prints `BENCH w4_sklearn_<N>x<p>_seconds`, `_passes` and `_objective` (design/PERFORMANCE.md, W4).
# FULL=1 adds the paper's 100,000 × 5,000. Skipped (one line on stderr) when scikit-learn is missing.
set -euo pipefail
python3 -c "import sklearn" 2>/dev/null || { echo "lasso_peer.sh: scikit-learn not installed (pip install scikit-learn); skipped" >&2; exit 0; }
python3 - "${FULL:-0}" "${OUT:-/tmp/whittle_bench_lasso}" <<'PY'
import os, sys, time
import numpy as np
from sklearn.datasets import make_regression
from sklearn.linear_model import Lasso
sizes = [(20000, 2000, 1200)] + ([(100000, 5000, 3000)] if sys.argv[1] == "1" else [])
for n, p, k in sizes:
    saved = f"{sys.argv[2]}/w4_{n}x{p}.safetensors"
    if os.path.exists(saved):
        from safetensors.numpy import load_file
        d = load_file(saved)
        # Column-major, as scikit-learn's coordinate descent wants it (it would copy a C-order X).
        X, y = np.asfortranarray(d["x"].astype(np.float64)), d["y"].astype(np.float64).ravel()
        print(f"# {saved}: Whittle's data", file=sys.stderr)
    else:
        X, y = make_regression(n_samples=n, n_features=p, n_informative=k, random_state=42)
    t = time.perf_counter()
    m = Lasso(alpha=0.1).fit(X, y)
    secs = time.perf_counter() - t
    obj = ((y - X @ m.coef_ - m.intercept_) ** 2).sum() / (2 * n) + 0.1 * np.abs(m.coef_).sum()
    name = f"w4_sklearn_{n}x{p}"
    print(f"BENCH {name}_seconds {secs:.3f} s")
    print(f"BENCH {name}_passes {m.n_iter_} passes")
    print(f"BENCH {name}_objective {obj:.9g} value")
    print(f"BENCH {name}_l1 {np.abs(m.coef_).sum():.2f} value")
PY
