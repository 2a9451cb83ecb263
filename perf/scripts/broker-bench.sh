#!/bin/sh
# Broker benchmark: Tidemark and Apache Kafka 4.1.1 side by side, on this machine, in one session, measured by the
# same harness (io.tidemark.perf.broker.ClientPerf on the official kafka-clients).
#
#   ./mvnw -q package -DskipTests && perf/scripts/broker-bench.sh [OUT_DIR]
#
# Both brokers run as single nodes on loopback with the same heap (BENCH_HEAP, default Kafka's -Xms1g -Xmx1g), no
# fsync per write (Tidemark flush.policy none, Kafka's default flush settings), 3 partitions per topic, and run at
# the same time; every scenario runs on Tidemark then on Kafka, so machine noise hits both alike. Scenarios:
# record sizes 100 B and 1 KiB x acks 1 and all: closed-loop produce (throughput), consume of what was produced,
# and produce at a fixed rate (latency without coordinated omission). Results: OUT_DIR/results.txt (RESULT lines)
# and OUT_DIR/results.md (table with Tidemark/Kafka ratios, heap and peak RSS of each broker).
# Closed-loop runs use the producer's defaults (like kafka-producer-perf-test); fixed-rate runs set linger.ms
# (RATE_LINGER_MS, default 0) so their latency shows the broker rather than the client's batching wait.
# The whole run holds the shared lock (/tmp/tidemark-build.lock): the machine is shared and has 2 cores.
set -e
if [ -z "$TIDEMARK_BENCH_LOCKED" ]; then
    TIDEMARK_BENCH_LOCKED=1 exec flock /tmp/tidemark-build.lock "$0" "$@"
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/perf/target/broker-bench}
heap=${BENCH_HEAP:--Xms1g -Xmx1g}
records_small=${RECORDS_100:-2000000}
records_large=${RECORDS_1K:-400000}
rate_small=${RATE_100:-20000}
rate_large=${RATE_1K:-5000}
rate_seconds=${RATE_SECONDS:-20}
rate_linger=${RATE_LINGER_MS:-0}
tidemark_port=${TIDEMARK_PORT:-29092}
kafka_port=${KAFKA_PORT:-19092}
jar="$root/perf/target/tidemark.jar"
[ -f "$jar" ] || { echo "build first: ./mvnw -q package -DskipTests" >&2; exit 1; }
client="java -Xmx1g -cp $jar io.tidemark.perf.broker.ClientPerf"

rm -rf "$out"
mkdir -p "$out/tidemark"
"$root/perf/scripts/apache-kafka.sh" fetch

cat > "$out/tidemark/server.properties" <<PROPS
node.id=1
listeners=PLAINTEXT://127.0.0.1:$tidemark_port
log.dirs=$out/tidemark/logs
num.partitions=3
log.flush.policy=none
PROPS
JAVA_OPTS="$heap" "$root/bin/tidemark" broker --config "$out/tidemark/server.properties" > "$out/tidemark/broker.out" 2>&1 &
tidemark_pid=$!
kafka_pid=$(KAFKA_HEAP_OPTS="$heap" "$root/perf/scripts/apache-kafka.sh" start "$out/kafka" "$kafka_port")
cleanup() {
    kill "$tidemark_pid" 2>/dev/null || true
    "$root/perf/scripts/apache-kafka.sh" stop "$kafka_pid" || true
}
trap cleanup EXIT INT TERM

wait_for() { # pid file pattern
    i=0
    until grep -q "$3" "$2" 2>/dev/null; do
        i=$((i + 1))
        kill -0 "$1" 2>/dev/null || { echo "broker $1 exited; see $2" >&2; cat "$2" >&2; exit 1; }
        [ $i -lt 600 ] || { echo "timed out waiting for '$3' in $2" >&2; exit 1; }
        sleep 0.1
    done
}
wait_for "$tidemark_pid" "$out/tidemark/broker.out" "started, listening"
wait_for "$kafka_pid" "$out/kafka/server.log" "Kafka Server started"

run() { # label bootstrap args...
    label=$1
    bootstrap=$2
    shift 2
    $client "$@" --bootstrap-server "$bootstrap" --label "$label" | tee -a "$out/results.txt"
}

both() { # args... (run against Tidemark, then Kafka)
    run tidemark "127.0.0.1:$tidemark_port" "$@"
    run kafka "127.0.0.1:$kafka_port" "$@"
}

echo "# warm-up (not reported)" >&2
for target in "tidemark 127.0.0.1:$tidemark_port" "kafka 127.0.0.1:$kafka_port"; do
    # shellcheck disable=SC2086
    set -- $target
    $client produce --bootstrap-server "$2" --topic warmup --records 1000000 --record-size 100 --acks 1 --label "$1" > /dev/null
    $client consume --bootstrap-server "$2" --topic warmup --label "$1" > /dev/null
done

for size in 100 1024; do
    if [ "$size" = 100 ]; then records=$records_small; rate=$rate_small; else records=$records_large; rate=$rate_large; fi
    for acks in 1 all; do
        both produce --topic "tput-$size-$acks" --records "$records" --record-size "$size" --acks "$acks"
        both consume --topic "tput-$size-$acks"
        both produce --topic "rate-$size-$acks" --records $((rate * rate_seconds)) --warmup-records $((rate * 5)) \
            --record-size "$size" --acks "$acks" --rate "$rate" --producer-property "linger.ms=$rate_linger"
    done
done

memory() { # label pid
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$2/status")
    anon=$(awk '/RssAnon/ {print $2}' "/proc/$2/status")
    file=$(awk '/RssFile/ {print $2}' "/proc/$2/status")
    used=$(jcmd "$2" GC.heap_info 2>/dev/null | awk '/garbage-first heap/ {for (i = 1; i <= NF; i++) if ($i == "used") print $(i + 1)}' | tr -d ',')
    echo "MEMORY label=$1 heap_flags=\"$heap\" heap_used_at_end=$used peak_rss_kb=$hwm rss_anon_kb=$anon rss_file_kb=$file" \
        | tee -a "$out/results.txt"
}
memory tidemark "$tidemark_pid"
memory kafka "$kafka_pid"
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print $2 / 1024 / 1024 " GiB"}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -1)"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$out/results.txt"

awk -f "$root/perf/scripts/broker-bench-report.awk" "$out/results.txt" > "$out/results.md"
cat "$out/results.md"
