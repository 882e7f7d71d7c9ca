# tests/collector.bash - shared by the hotmon-collector shell tests (daemon.sh,
# connect.sh, prometheus.sh, slo.sh): starting a daemon and reading the
# addresses it really bound from its log, and bounded waits. Sourced after
# lib.bash.
COLLECTOR=$PWD/$HM_BUILD/hotmon-collector

# wait_until SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
wait_until() {
    local limit=$1 i
    shift
    for ((i = 0; i < limit * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# start_collector NAME ARGS...: hotmon-collector --foreground ARGS in the
# background, its log in $WORK/NAME.log, its pid in PIDS and COLLECTOR_PID;
# waits (bounded) for its "info: pub" line (or "ingest" with --pub none) and
# sets INGEST, PUB and METRICS from the log. Fails when it never gets there.
start_collector() {
    local name=$1
    shift
    "$COLLECTOR" --foreground "$@" 2>"$WORK/$name.log" &
    COLLECTOR_PID=$!
    PIDS+=("$COLLECTOR_PID")
    local want="info: pub "
    case " $* " in *" --pub none "*) want="info: ingest " ;; esac
    case " $* " in *" --metrics"*) want="info: metrics " ;; esac
    if ! wait_until 20 grep -q "$want" "$WORK/$name.log"; then
        cat "$WORK/$name.log"
        return 1
    fi
    INGEST=$(sed -n 's/^hotmon-collector: info: ingest //p' "$WORK/$name.log")
    PUB=$(sed -n 's/^hotmon-collector: info: pub //p' "$WORK/$name.log")
    METRICS=$(sed -n 's/^hotmon-collector: info: metrics //p' "$WORK/$name.log")
}
