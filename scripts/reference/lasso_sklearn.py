# Makes the reference answer of Tests/CoreTests/LassoTests.swift with scikit-learn (run once; the
# numbers are pasted into the test). The data is a closed formula, so Swift rebuilds it exactly.
import math
import numpy as np
from sklearn.linear_model import Lasso

N, P = 60, 8
true = [3.0, -2.0, 0.0, 0.0, 1.5, 0.0, 0.25, 0.0]
X = np.array([[np.float32(math.sin(0.37 * (i + 1) * (j + 1) + 0.1 * j)) for j in range(P)] for i in range(N)], dtype=np.float64)
y = np.array([np.float32(sum(true[j] * float(X[i, j]) for j in range(P)) + 0.05 * math.cos(i) + 1.0) for i in range(N)], dtype=np.float64)
for alpha in (0.1, 0.01):
    m = Lasso(alpha=alpha, tol=1e-10, max_iter=100000).fit(X, y)
    obj = ((y - X @ m.coef_ - m.intercept_) ** 2).sum() / (2 * N) + alpha * abs(m.coef_).sum()
    print(f"alpha {alpha}: coef [{', '.join(repr(float(c)) for c in m.coef_)}], intercept {float(m.intercept_)!r}, objective {obj!r}")
