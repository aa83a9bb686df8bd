#!/usr/bin/env bash
# Start-up time of `whittle -e 1` (median of 20 runs), and CPython on the interpreter workloads for comparison.
#
# Prints `BENCH startup <ms> ms`, `BENCH python_startup <ms> ms`, `BENCH python_fib30 <s> s` and
# `BENCH python_loop10m <s> s` (design/PERFORMANCE.md, W2). Uses the release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
whittle="${WHITTLE:-.build/release/whittle}"
[ -x "$whittle" ] || { echo "startup.sh: $whittle not built (run: swift build -c release)" >&2; exit 1; }

# Median wall time in milliseconds of 20 runs of the given command (after one warm-up run).
median_ms() {
    python3 - "$@" <<'PY'
import subprocess, sys, time
cmd = sys.argv[1:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
times = []
for _ in range(20):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"{(times[9] + times[10]) / 2:.1f}")
PY
}

echo "BENCH startup $(median_ms "$whittle" -e 1) ms"
echo "BENCH python_startup $(median_ms python3 -c 1) ms"

python3 - <<'PY'
import time
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
def loop(n):
    s = 0
    for i in range(n):
        s = s + i
    return s
t = time.perf_counter(); assert fib(30) == 832040
print(f"BENCH python_fib30 {time.perf_counter() - t:.3f} s")
t = time.perf_counter(); assert loop(10_000_000) == 49999995000000
print(f"BENCH python_loop10m {time.perf_counter() - t:.3f} s")
PY
