#!/usr/bin/env bash
# Runs the engine benchmarks exactly as reported in docs/BENCHMARKS.md ("Engine").
# Build first: ./mvnw -q -pl perf -am package -DskipTests
# Every run holds the shared lock (/tmp/tidemark-build.lock): the machine is shared and has 2 cores.
# Usage: perf/scripts/engine-benchmarks.sh [OUT_DIR] [STEP...]   (steps: append chronicle ringlock group alloc transfer)
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=perf/target/benchmarks.jar
OUT=${1:-perf/target/results}
shift || true
STEPS=${*:-append chronicle ringlock group alloc transfer}
mkdir -p "$OUT"
SHORT=(-wi 3 -w 1s -i 5 -r 1s -f 1)

jmh() { # name, then JMH arguments
    local name=$1; shift
    flock /tmp/tidemark-build.lock java -jar "$JAR" "$@" -rf json -rff "$OUT/$name.json" | tee "$OUT/$name.txt" | grep -E '^[A-Z][A-Za-z]+Benchmark\.' || true
}

for step in $STEPS; do
    case $step in
    append)
        for fs in disk shm; do
            for t in 1 4; do
                jmh "append-$fs-t$t" 'AppendThroughputBenchmark' -p fs=$fs "${SHORT[@]}" -t $t
            done
        done ;;
    chronicle)
        for t in 1 4; do
            jmh "chronicle-t$t" 'ChronicleQueueBenchmark' "${SHORT[@]}" -t $t
        done ;;
    ringlock)
        for t in 1 2 4; do
            jmh "ringlock-t$t" 'RingVsLockBenchmark' -p valueBytes=100,1024 "${SHORT[@]}" -t $t
        done ;;
    group)
        jmh group 'GroupCommitBenchmark' ;;
    alloc)
        jmh alloc 'AllocationBenchmark' -prof gc ;;
    transfer)
        # alternate the two, three rounds each, so drift on the shared machine hits both alike
        for round in 1 2 3; do
            jmh "transfer-raw-$round" 'TransferToBenchmark.ceilingRawTransferTo' -wi 2 -i 3
            jmh "transfer-slice-$round" 'TransferToBenchmark.tidemarkSliceTransferTo' -wi 2 -i 3
        done ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
    esac
done
