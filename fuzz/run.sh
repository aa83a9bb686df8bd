#!/usr/bin/env bash
# Builds the libFuzzer harness in its own folder (.build-fuzz) and fuzzes a sandboxed Session for a bounded time.
#
# Usage: fuzz/run.sh [RUNS] [SECONDS]   (defaults 1000000 inputs, at most 3600 s; FUZZ_TIMEOUT seconds per input, 30:
# a WRN built on a loaded machine took over 10 s, which is slowness, not a hang; FUZZ_WORKERS processes, 1).
# Each process stays within 4 GB of memory; the run stops at whichever limit comes first.
# Crashes and hangs are written to .build-fuzz/artifacts/; the working corpus grows in .build-fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-${FUZZ_RUNS:-1000000}}"
seconds="${2:-${FUZZ_SECONDS:-3600}}"
scratch=.build-fuzz
build="$scratch/release"
targets=(Runtime Lang Interpreter Core Sweep Builtins)

echo "fuzz: building the libraries with coverage instrumentation in $scratch"
# -sanitize=fuzzer on the libraries adds the coverage counters libFuzzer steers by; only the
# harness below is linked with libFuzzer's main.
swift build -c release --scratch-path "$scratch" --target Builtins -Xswiftc -sanitize=fuzzer >/dev/null

# The objects of this build, as SwiftPM's output file maps name them (stale ones are ignored).
objects=()
for target in "${targets[@]}"; do
    while IFS= read -r object; do objects+=("$object"); done < <(python3 - "$build/$target.build/output-file-map.json" <<'PY'
import json, os, sys
for source, outputs in json.load(open(sys.argv[1])).items():
    if source and os.path.exists(outputs.get("object", "")):
        print(outputs["object"])
PY
)
done
swiftc -O -sanitize=fuzzer -parse-as-library -module-name WhittleFuzz \
    -I "$build/Modules" -I Sources/CBLAS -I Sources/CZlib \
    fuzz/FuzzSession.swift "${objects[@]}" -lopenblas -lz -o "$build/whittle-fuzz"

mkdir -p "$scratch/corpus" "$scratch/artifacts"
# Seeds: a few programs here, plus the language's script test corpus when present.
seeds=(fuzz/seeds)
[ -d Tests/Scripts ] && seeds+=(Tests/Scripts)
workers="${FUZZ_WORKERS:-1}"
echo "fuzz: running $runs inputs on $workers worker(s), at most $seconds s (seeds: ${seeds[*]}, dictionary: fuzz/whittle.dict)"
started=$(date +%s)
# Each worker is its own process with its own seed and log, sharing the corpus folder (libFuzzer
# picks up what the others add when it rereads it); the runs are split between them.
pids=()
for worker in $(seq 1 "$workers"); do
    share=$(( runs / workers + (worker <= runs % workers ? 1 : 0) ))
    "$build/whittle-fuzz" "$scratch/corpus" "${seeds[@]}" \
        -dict=fuzz/whittle.dict -runs="$share" -max_total_time="$seconds" -max_len=4096 -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=4096 \
        -seed="$worker" -artifact_prefix="$scratch/artifacts/" -print_final_stats=1 >"$scratch/fuzz-$worker.log" 2>&1 &
    pids+=($!)
done
status=0
failed_log=""
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { status=$?; failed_log="$scratch/fuzz-$(( i + 1 )).log"; }
done

elapsed=$(( $(date +%s) - started ))
logs=()
for worker in $(seq 1 "$workers"); do logs+=("$scratch/fuzz-$worker.log"); done
done_runs=$(cat "${logs[@]}" | grep -Eo 'Done [0-9]+ runs' | awk '{s += $2} END {print s + 0}')
peak=$(cat "${logs[@]}" | grep -Eo 'peak_rss_mb: *[0-9]+' | grep -Eo '[0-9]+$' | sort -n | tail -n 1)
corpus=$(find "$scratch/corpus" -type f | wc -l)
if [ "$status" -ne 0 ]; then
    tail -n 40 "$failed_log"
    echo "fuzz: FAILED after $done_runs inputs in $elapsed s; the input that failed is in $scratch/artifacts/"
    exit "$status"
fi
echo "fuzz: $done_runs inputs ran in $elapsed s without a crash or hang (peak RSS ${peak:-?} MB); corpus holds $corpus inputs"
