#!/usr/bin/env bash
# W3 peer: the same alternating HRCO steps in NumPy (float32, conv features cached, full evaluation).
#
# Reads the net and η that scripts/bench/hrco_prune.wh saved in /tmp/whittle_bench_hrco and prints
# `BENCH w3_numpy_steps_per_s` (design/PERFORMANCE.md, W3). STEPS sets the number of steps (100).
set -euo pipefail
dir="${OUT:-/tmp/whittle_bench_hrco}"
[ -f "$dir/model.safetensors" ] || { echo "hrco_prune_peer.sh: run scripts/bench/hrco_prune.wh first" >&2; exit 0; }
python3 - "$dir" "${STEPS:-100}" <<'PY'
import gzip, sys, time
import numpy as np
from safetensors.numpy import load_file
d, steps = sys.argv[1], int(sys.argv[2])
w = load_file(f"{d}/model.safetensors")
eta = float(open(f"{d}/eta.txt").read())
root = "/usr/share/datasets/fashion-mnist"
def idx(name):
    for path in (f"{root}/{name}.gz", f"{root}/{name}"):
        try:
            raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
            break
        except FileNotFoundError:
            continue
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)
x = idx("t10k-images-idx3-ubyte").astype(np.float32)[:, None] / 255
y = idx("t10k-labels-idx1-ubyte").astype(np.int64)
def conv_same2(x, k, b):   # 2×2 'same': the extra row/column at the bottom/right
    xp = np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)))
    out = sum(np.einsum("nchw,oc->nohw", xp[:, :, i:i + x.shape[2], j:j + x.shape[3]], k[:, :, i, j]) for i in range(2) for j in range(2))
    return out + b[None, :, None, None]
def pool(x):
    n, c, h, w_ = x.shape
    return x.reshape(n, c, h // 2, 2, w_ // 2, 2).max(axis=(3, 5))
feats = []
for s in range(0, len(x), 1000):
    h = pool(np.maximum(conv_same2(x[s:s + 1000], w["0.weight"], w["0.bias"]), 0))
    h = pool(np.maximum(conv_same2(h, w["4.weight"], w["4.bias"]), 0))
    feats.append(h.reshape(len(h), -1))
phi = np.concatenate(feats).astype(np.float32)
W1, b1, W2, b2 = w["9.weight"], w["9.bias"], w["12.weight"], w["12.bias"]
sizes = [W1.size, b1.size, W2.size, b2.size]
def unflat(c):
    parts, o = [], 0
    for a, n in zip((W1, b1, W2, b2), sizes):
        parts.append(c[o:o + n].reshape(a.shape)); o += n
    return parts
t = 0.01
def acc(c):
    c = np.where(np.abs(c) <= t, 0, c).astype(np.float32)
    w1, bb1, w2, bb2 = unflat(c)
    return float(((np.maximum(phi @ w1 + bb1, 0) @ w2 + bb2).argmax(1) == y).mean())
f = lambda c: -float((np.abs(c) <= t).mean())
x0 = np.concatenate([a.ravel() for a in (W1, b1, W2, b2)]).astype(np.float32)
print(f"# numpy start accuracy {acc(x0):.4f}, eta {eta:.4f}", file=sys.stderr)
rng = np.random.default_rng(0)
cc, s, fs, K = x0.copy(), x0.copy(), f(x0), x0.size
start = time.perf_counter()
for m in range(steps):
    gs = m % 2 == 0
    xc = cc if gs else s
    sd = np.abs(xc) / 3 * (1 if gs else 1 / K)
    a = xc + sd * rng.standard_normal(K, dtype=np.float32)
    a = np.where(np.abs(a - xc) <= 2.1 * np.abs(xc), a, xc)
    if gs:
        if acc(a) > eta:
            cc = a
            fa = f(a)
            if fa < fs: s, fs = a, fa
    else:
        fa = f(a)
        if fa < fs and acc(a) > eta: s, fs = a, fa
rate = steps / (time.perf_counter() - start)
print(f"BENCH w3_numpy_steps_per_s {rate:.1f} steps/s")
print(f"BENCH w3_numpy_pruned_after_steps {-fs:.4f} fraction")
PY
