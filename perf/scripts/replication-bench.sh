#!/bin/sh
# Replication benchmark (io.tidemark.perf.replication.ReplicationBench): one embedded 3-broker cluster on
# loopback in one JVM; acks=all RF3 vs acks=1 RF1, the leader's append-to-HW delay, flush.policy batch vs none.
#
#   ./mvnw -q package -DskipTests && perf/scripts/replication-bench.sh [OUT_DIR] [ReplicationBench options...]
#
# Runs 100 B and 1 KiB records (override with your own options, e.g. --record-size 1024 --rate 2000).
# Output: OUT_DIR/results-<size>.txt (RESULT lines and a markdown table). Holds the shared lock
# (/tmp/tidemark-build.lock) for the whole run: the machine is shared and has 2 cores.
set -e
if [ -z "$TIDEMARK_BENCH_LOCKED" ]; then
    TIDEMARK_BENCH_LOCKED=1 exec flock /tmp/tidemark-build.lock "$0" "$@"
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/perf/target/replication-bench}
[ $# -gt 0 ] && shift
jar="$root/perf/target/tidemark.jar"
[ -f "$jar" ] || { echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; }
flags="--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
mkdir -p "$out"
bench() { # file args...
    f=$1
    shift
    # shellcheck disable=SC2086
    java $flags ${BENCH_HEAP:--Xms2g -Xmx2g} -cp "$jar" io.tidemark.perf.replication.ReplicationBench "$@" 2> "$out/$f.err" | tee "$out/$f.txt"
}
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print $2 / 1024 / 1024 " GiB"}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -1)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD)"
} | tee "$out/machine.txt"
if [ $# -gt 0 ]; then
    bench results "$@"
else
    bench results-100 --record-size 100 --records 1000000 --rate 10000
    bench results-1024 --record-size 1024 --records 300000 --rate 2000
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
