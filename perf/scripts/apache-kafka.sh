#!/bin/sh
# Runs Apache Kafka (4.1.1, single KRaft node, loopback) from its Maven Central jars, for the broker benchmark:
#   perf/scripts/apache-kafka.sh fetch                 download the server jars into perf/target/kafka-libs
#   perf/scripts/apache-kafka.sh start DATA_DIR PORT   format DATA_DIR if new, start in the background, print the pid
#   perf/scripts/apache-kafka.sh stop PID              SIGTERM and wait
# KAFKA_HEAP_OPTS (default -Xms1g -Xmx1g, as kafka-server-start.sh) and KAFKA_OPTS are passed to the JVM.
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
libs="$root/perf/target/kafka-libs"

fetch() {
    if [ ! -f "$libs/kafka_2.13-4.1.1.jar" ]; then
        (cd "$root" && ./mvnw -q -f perf/scripts/apache-kafka/pom.xml dependency:copy-dependencies \
            -DoutputDirectory="$libs" -DincludeScope=runtime)
    fi
}

case "$1" in
    fetch)
        fetch
        ;;
    start)
        data=$2
        port=$3
        [ -n "$data" ] && [ -n "$port" ] || { echo "usage: $0 start DATA_DIR PORT" >&2; exit 2; }
        fetch
        mkdir -p "$data"
        controller_port=$((port + 1))
        cat > "$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/logs
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
        cat > "$data/log4j2.properties" <<'PROPS'
status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
PROPS
        if [ ! -f "$data/logs/meta.properties" ]; then
            java -cp "$libs/*" -Dkafka.logs.dir="$data" -Dlog4j2.configurationFile="$data/log4j2.properties" \
                kafka.tools.StorageTool format -t "$(head -c 16 /dev/urandom | base64 | tr "+/" "-_" | cut -c 1-22)" \
                -c "$data/server.properties" > "$data/format.out" 2>&1
        fi
        # shellcheck disable=SC2086
        nohup java ${KAFKA_HEAP_OPTS:--Xms1g -Xmx1g} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
            -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true $KAFKA_OPTS \
            -Dkafka.logs.dir="$data" -Dlog4j2.configurationFile="$data/log4j2.properties" \
            -cp "$libs/*" kafka.Kafka "$data/server.properties" > "$data/kafka.out" 2>&1 &
        echo $!
        ;;
    stop)
        pid=$2
        [ -n "$pid" ] || { echo "usage: $0 stop PID" >&2; exit 2; }
        kill "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
        ;;
    *)
        echo "usage: $0 fetch | start DATA_DIR PORT | stop PID" >&2
        exit 2
        ;;
esac
