#!/bin/bash
# scripts/run-soak.sh - the long run of docs/reliability.md: a load of 1,000
# endpoints at 50,000 samples/s into a collector for --minutes (default 10),
# the resident size of the collector, hotmon and the load printed every
# minute; fails when any of them grows more than 1% between minute 2 and
# the end (--from-minute moves the start), or when the collector did not
# receive exactly what the load sent.
# Then the client's timing figures (record cost against an uninstrumented
# loop, slowest record call, and why the slow calls were slow: prog_flood
# --attribute beside an empty control) and a short run under valgrind
# ("definitely lost: 0 bytes").
#
#   scripts/run-soak.sh [--minutes N] [--from-minute M] [--build DIR]
#                       [--valgrind-seconds S] [--no-valgrind] [--no-figures]
#                       [--no-soak]
#
# Uses hotmon-collector and hotmon-load when they are built; until then the
# collector embedded in `hotmon --once --after` and tests/prog_flood, and
# says which. Ends with "N passed, N failed"; exit status 0 when all passed.
set -u
MINUTES=10
FROM=2
BUILD=build
VG_SECONDS=20
VALGRIND=1
FIGURES=1
SOAK=1
while [ $# -gt 0 ]; do
    case $1 in
    --minutes) MINUTES=${2:?}; shift ;;
    --from-minute) FROM=${2:?}; shift ;;
    --build) BUILD=${2:?}; shift ;;
    --valgrind-seconds) VG_SECONDS=${2:?}; shift ;;
    --no-valgrind) VALGRIND=0 ;;
    --no-figures) FIGURES=0 ;;
    --no-soak) SOAK=0 ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-soak: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
case $MINUTES in '' | *[!0-9]*) echo "run-soak: --minutes wants a whole number, not '$MINUTES'" >&2; exit 2 ;; esac
if [ "$MINUTES" -lt 3 ]; then
    echo "run-soak: --minutes must be at least 3 (growth is measured from minute 2)" >&2
    exit 2
fi
case $FROM in '' | *[!0-9]*) echo "run-soak: --from-minute wants a whole number" >&2; exit 2 ;; esac
if [ "$FROM" -lt 1 ] || [ "$FROM" -ge "$MINUTES" ]; then
    echo "run-soak: --from-minute must be from 1 to --minutes - 1" >&2
    exit 2
fi
ENDPOINTS=1000
RATE=50000
SECONDS_RUN=$((MINUTES * 60))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotmon-soak.XXXXXX")
PIDS=()
trap 'for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
val() { # FILE PREFIX KEY, as in tests/faults.sh
    awk -v p="$2" -v k="$3" '$1 == p { for (i = 2; i <= NF; i++) { n = index($i, "=");
        if (substr($i, 1, n - 1) == k) v = substr($i, n + 1) } } END { print v }' "$1"
}

for p in hotmon tests/prog_flood; do
    [ -x "$BUILD/$p" ] || { echo "run-soak: $BUILD/$p is not built (make check-build)" >&2; exit 2; }
done
ADDR=tcp://127.0.0.1:$(free_port)

mode=embedded
[ -x "$BUILD/hotmon-collector" ] && [ -x "$BUILD/hotmon-load" ] && mode=daemon
if [ "$SOAK" = 1 ]; then
# --- the soak ------------------------------------------------------------------
echo "== soak: $ENDPOINTS endpoints at $RATE samples/s for $MINUTES minutes into $ADDR =="
procs=()   # "name pid" pairs whose RSS is followed
if [ "$mode" = daemon ]; then
    PUB=tcp://127.0.0.1:$(free_port)
    echo "using: hotmon-collector (daemon), hotmon --connect, hotmon-load"
    "$BUILD/hotmon-collector" --bind "$ADDR" --pub "$PUB" --foreground >"$WORK/collector.out" 2>&1 &
    collector=$!
    PIDS+=("$collector")
    procs+=("collector $collector")
    sleep 1
    "$BUILD/hotmon" --connect "$PUB" --once --after $((SECONDS_RUN + 10)) --format json \
        >"$WORK/hotmon.json" 2>"$WORK/hotmon.err" &
    hotmon=$!
    PIDS+=("$hotmon")
    procs+=("hotmon $hotmon")
    "$BUILD/hotmon-load" --collector "$ADDR" --endpoints "$ENDPOINTS" --rate "$RATE" \
        --duration "$SECONDS_RUN" --workers 4 --format json >"$WORK/load.out" 2>"$WORK/load.err" &
    load=$!
else
    echo "using: hotmon's embedded collector (hotmon --once --after) and tests/prog_flood;"
    echo "       hotmon-collector and hotmon-load are not built here"
    "$BUILD/hotmon" --once --after $((SECONDS_RUN + 10)) --bind "$ADDR" --format json --window all \
        >"$WORK/hotmon.json" 2>"$WORK/hotmon.err" &
    hotmon=$!
    PIDS+=("$hotmon")
    procs+=("hotmon+collector $hotmon")
    sleep 1
    "$BUILD/tests/prog_flood" "$ADDR" --endpoints "$ENDPOINTS" --rate "$RATE" --seconds "$SECONDS_RUN" \
        --tick-ms 60000 >"$WORK/load.out" 2>&1 &
    load=$!
fi
PIDS+=("$load")
procs+=("load $load")

declare -A atfrom last
printf '%-8s' minute
for pr in "${procs[@]}"; do printf '%20s' "${pr% *} kB"; done
echo
start=$(date +%s)
for ((m = 1; m <= MINUTES; m++)); do
    while [ $(($(date +%s) - start)) -lt $((m * 60 - 2)) ]; do sleep 1; done
    printf '%-8s' "$m"
    for pr in "${procs[@]}"; do
        r=$(rss "${pr#* }")
        printf '%20s' "$r"
        [ "$m" = "$FROM" ] && atfrom[${pr% *}]=$r
        last[${pr% *}]=$r
    done
    echo
done
wait "$load"
load_rc=$?
wait "$hotmon"
[ "$mode" = daemon ] && kill -TERM "$collector" && wait "$collector"

for pr in "${procs[@]}"; do
    n=${pr% *}
    a=${atfrom[$n]:-0} b=${last[$n]:-0}
    pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a ? (b - a) * 100 / a : 0 }'; }
    line="$n: RSS minute $FROM -> minute $MINUTES: $a -> $b kB ($(pct "$a" "$b")%)"
    if [ "$a" -gt 0 ] && [ $((b * 100)) -le $((a * 101)) ]; then
        ok "$line"
    else
        fail "$line, more than 1%"
    fi
done
if [ "$mode" = embedded ]; then
    sent=$(val "$WORK/load.out" final sent) dropped=$(val "$WORK/load.out" final dropped)
    produced=$(val "$WORK/load.out" final produced)
else
    read -r produced sent dropped < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["client"]
print(c["produced"], c["sent"], c["dropped"])' "$WORK/load.out" 2>/dev/null)
fi
read -r samples drops rejected lost eps < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); c = d["counters"]
print(c["samples"], c["client_drops"], c["rejected"], c["lost"], c["endpoints"])' "$WORK/hotmon.json" 2>/dev/null)
rate=$(awk -v p="${produced:-0}" -v s="$SECONDS_RUN" 'BEGIN { printf "%.0f", p / s }')
echo "     load: produced ${produced:-?} ($rate/s) sent ${sent:-?} dropped ${dropped:-?};" \
    "collector: samples ${samples:-?} client_drops ${drops:-?} rejected ${rejected:-?} lost ${lost:-?} endpoints ${eps:-?}"
if [ "$load_rc" = 0 ] && [ -n "${samples:-}" ] && [ "$samples" = "$sent" ] && [ "$drops" = "$dropped" ] &&
    [ "$lost" = 0 ] && [ "$eps" = "$ENDPOINTS" ]; then
    ok "the collector received exactly what the load sent and counted what it dropped"
else
    fail "the collector's count differs from the load's (see above; logs in $WORK are removed at exit)"
    tail -5 "$WORK/hotmon.err" "$WORK/load.err" 2>/dev/null | sed 's/^/    | /'
fi

fi # SOAK

# --- client figures ----------------------------------------------------------------
if [ "$FIGURES" = 1 ]; then
    echo "== client figures (collector absent; 5 s runs, best of 3) =="
    NOBODY=tcp://127.0.0.1:$(free_port)
    best() { # KEY FLAGS...: the largest KEY over three runs
        local k=$1 b=0 v
        shift
        for _ in 1 2 3; do
            "$BUILD/tests/prog_flood" "$NOBODY" --seconds 5 "$@" >"$WORK/fig.out" 2>&1
            v=$(val "$WORK/fig.out" final "$k")
            v=${v%.*}
            [ "${v:-0}" -gt "$b" ] && b=$v
        done
        echo "$b"
    }
    for w in 0 1000 5000 10000; do
        base=$(best loops_per_s --work-ns "$w" --no-client)
        inst=$(best loops_per_s --work-ns "$w")
        awk -v w="$w" -v a="$base" -v b="$inst" 'BEGIN {
            printf "     %6d ns of work per request: %11d/s uninstrumented, %11d/s recorded, ratio %.4f, %.1f ns per record\n",
                w, a, b, b / a, (1e9 / b - 1e9 / a) }'
    done
    "$BUILD/tests/prog_flood" "$NOBODY" --seconds 10 >"$WORK/fig.out" 2>&1
    echo "     flat out for 10 s: slowest record call $(val "$WORK/fig.out" final max_record_ns) ns," \
        "$(val "$WORK/fig.out" final over_10us) of $(val "$WORK/fig.out" final produced) calls over 10 us"
    "$BUILD/tests/prog_flood" "$NOBODY" --seconds 10 --rate 50000 >"$WORK/fig.out" 2>&1
    echo "     at 50,000/s for 10 s: slowest record call $(val "$WORK/fig.out" final max_record_ns) ns," \
        "$(val "$WORK/fig.out" final over_10us) of $(val "$WORK/fig.out" final produced) calls over 10 us"
    # Why the slow calls were slow: each call bracketed by its thread's
    # counters (prog_flood --attribute); the control is the same bracket
    # around nothing. Unexplained calls are compared per second timed.
    for run in "flat out:" "at 50,000/s:--rate 50000" "control, flat out:--no-client"; do
        "$BUILD/tests/prog_flood" "$NOBODY" --seconds 10 --attribute ${run#*:} >"$WORK/fig.out" 2>&1
        f=$WORK/fig.out
        echo "     attributed, ${run%%:*}, 10 s: $(val "$f" final over_10us) of $(val "$f" final loops) over 10 us:" \
            "first call $(val "$f" final first_call_ns) ns, $(val "$f" final slow_preempted) preempted," \
            "$(val "$f" final slow_faulted) faulted, $(val "$f" final slow_interrupted) interrupted" \
            "(counted: $(val "$f" final irq_counted)), $(val "$f" final slow_unexplained) unexplained" \
            "(slowest $(val "$f" final unexplained_max_ns) ns) in $(val "$f" final timed_ms) ms timed;" \
            "$(val "$f" final blocked) slept"
    done
fi

# --- valgrind ----------------------------------------------------------------------
if [ "$VALGRIND" = 1 ]; then
    if ! command -v valgrind >/dev/null; then
        fail "valgrind is not installed"
    else
        echo "== valgrind: ${VG_SECONDS} s of collector and load (memcheck, full leak check) =="
        A=tcp://127.0.0.1:$(free_port)
        # an array, not a function: $! must be valgrind's own pid, for the signal
        vg=(valgrind --leak-check=full --show-leak-kinds=definite --error-exitcode=99)
        if [ "$mode" = daemon ]; then
            "${vg[@]}" --log-file="$WORK/vg-collector.log" "$BUILD/hotmon-collector" --bind "$A" \
                --pub 'tcp://127.0.0.1:*' --foreground >/dev/null 2>&1 &
            vh=$!
            sleep 3
            "${vg[@]}" --log-file="$WORK/vg-load.log" "$BUILD/hotmon-load" --collector "$A" --endpoints 100 \
                --rate 5000 --duration $((VG_SECONDS - 8)) --workers 2 >/dev/null 2>&1
            kill -TERM "$vh"
            logs="collector load"
        else
            "${vg[@]}" --log-file="$WORK/vg-hotmon.log" "$BUILD/hotmon" --once --after "$VG_SECONDS" --bind "$A" \
                --format csv >/dev/null 2>&1 &
            vh=$!
            sleep 3
            "${vg[@]}" --log-file="$WORK/vg-load.log" "$BUILD/tests/prog_flood" "$A" --endpoints 100 --rate 5000 \
                --seconds $((VG_SECONDS - 8)) >/dev/null 2>&1
            logs="hotmon load"
        fi
        wait "$vh"
        for l in $logs; do
            lost=$(grep -o 'definitely lost: [0-9,]* bytes' "$WORK/vg-$l.log" | head -1)
            errs=$(grep -o 'ERROR SUMMARY: [0-9]*' "$WORK/vg-$l.log" | head -1)
            if grep -q 'All heap blocks were freed' "$WORK/vg-$l.log"; then lost="definitely lost: 0 bytes (all freed)"; fi
            if [[ "$lost" == "definitely lost: 0 bytes"* ]] && [ "$errs" = "ERROR SUMMARY: 0" ]; then
                ok "valgrind $l: $lost, $errs"
            else
                fail "valgrind $l: ${lost:-no leak summary}, ${errs:-no error summary}"
                grep -A12 'definitely lost in' "$WORK/vg-$l.log" | head -30 | sed 's/^/    | /'
            fi
        done
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
