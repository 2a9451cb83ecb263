# Turns perf/scripts/broker-bench.sh's RESULT and MEMORY lines into a markdown report with Tidemark/Kafka ratios.
function field(name,   i, kv) {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
    return ""
}
/^RESULT/ {
    label = field("label"); mode = field("mode")
    if (mode == "consume") { key = "consume " last_size[label] " B acks=" last_acks[label] }
    else {
        key = mode " " field("size") " B acks=" field("acks")
        last_size[label] = field("size"); last_acks[label] = field("acks")
    }
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    rps[key, label] = field("records_per_s"); mbs[key, label] = field("MB_per_s")
    p50[key, label] = field("p50_ms"); p99[key, label] = field("p99_ms"); p999[key, label] = field("p999_ms")
}
/^MEMORY/ { mem[field("label")] = $0 }
/^machine|^load/ { machine = machine $0 "\n" }
function ratio(a, b) { return (a != "" && b != "" && b + 0 > 0) ? sprintf("%.2f", a / b) : "" }
END {
    print "| scenario | Tidemark rec/s | Kafka rec/s | rec/s ratio | Tidemark MB/s | Kafka MB/s | Tidemark p50 / p99 / p99.9 ms | Kafka p50 / p99 / p99.9 ms | p50 / p99 ratio |"
    print "|---|---:|---:|---:|---:|---:|---|---|---|"
    for (i = 1; i <= n; i++) {
        k = order[i]
        lat_t = (p50[k, "tidemark"] == "") ? "" : p50[k, "tidemark"] " / " p99[k, "tidemark"] " / " p999[k, "tidemark"]
        lat_k = (p50[k, "kafka"] == "") ? "" : p50[k, "kafka"] " / " p99[k, "kafka"] " / " p999[k, "kafka"]
        lat_r = (lat_t == "" || lat_k == "") ? "" : ratio(p50[k, "tidemark"], p50[k, "kafka"]) " / " ratio(p99[k, "tidemark"], p99[k, "kafka"])
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k, rps[k, "tidemark"], rps[k, "kafka"], \
            ratio(rps[k, "tidemark"], rps[k, "kafka"]), mbs[k, "tidemark"], mbs[k, "kafka"], lat_t, lat_k, lat_r
    }
    print ""
    print mem["tidemark"]
    print mem["kafka"]
    print ""
    printf "%s", machine
}
