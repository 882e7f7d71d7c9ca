#!/bin/bash
# tests/once.sh - `hotmon --once` end to end: a real publisher sends known
# samples, hotmon collects them and prints them in every format; the numbers
# are checked with real CSV and JSON parsers. Also: bad flags and a taken
# address exit 2 with a clear message; --snapshot writes a file.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$HM_BUILD/hotmon
PUB=$HM_BUILD/tests/prog_publish

# once FORMAT OUTFILE: hotmon --once with 1000 x 10 ms and 10 x 200 ms (5 errors)
once() {
    local port
    port=$(free_port)
    timeout 30 "$HOTMON" --once --after 3 --bind "tcp://127.0.0.1:$port" --format "$1" \
        --window all >"$2" 2>"$WORK/err" &
    local hm=$!
    timeout 20 "$PUB" "tcp://127.0.0.1:$port" "GET /once" 1000 10 >/dev/null &&
        timeout 20 "$PUB" "tcp://127.0.0.1:$port" "GET /slow" 10 200 5 >/dev/null
    local pub=$?
    wait $hm
    local rc=$?
    [ $pub -eq 0 ] && [ $rc -eq 0 ]
}

once csv "$WORK/out.csv"
check "csv: runs and exits 0" test -s "$WORK/out.csv"
check "csv: parses with the right numbers" python3 - "$WORK/out.csv" <<'PY'
import csv, sys
rows = {r["name"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
a, b = rows["GET /once"], rows["GET /slow"]
assert int(a["count"]) == 1000, a
assert abs(float(a["p50_ms"]) - 10) <= 0.1, a
assert abs(float(a["p99_ms"]) - 10) <= 0.1, a
assert int(b["count"]) == 10 and int(b["errors"]) == 5, b
assert abs(float(b["max_ms"]) - 200) <= 2, b
PY

once json "$WORK/out.json"
check "json: parses with the right numbers" python3 - "$WORK/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1 and d["window"] == "all", d
eps = {e["name"]: e for e in d["endpoints"]}
a, b = eps["GET /once"], eps["GET /slow"]
assert a["count"] == 1000 and a["errors"] == 0, a
assert abs(a["p50_ms"] - 10) <= 0.1 and abs(a["p99_ms"] - 10) <= 0.1, a
assert b["count"] == 10 and b["errors"] == 5 and abs(b["error_rate"] - 0.5) < 1e-9, b
for k in ("name", "count", "rate", "errors", "error_rate", "min_ms", "mean_ms", "p50_ms",
          "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "inflight", "queue", "phases"):
    assert k in a, k
assert d["counters"]["samples"] == 1010, d["counters"]
# sorted by p99, descending: the slow endpoint first
assert d["endpoints"][0]["name"] == "GET /slow", d["endpoints"][0]
PY

once md "$WORK/out.md"
check "md: a table with both endpoints" grep -q '^| GET /once |' "$WORK/out.md"
once text "$WORK/out.txt"
check "text: a row for GET /once with 10.0ms" grep -Eq '^GET /once +[0-9.]+ +10\.0ms' "$WORK/out.txt"

port=$(free_port)
timeout 30 "$HOTMON" --demo --once --after 2 --bind "tcp://127.0.0.1:$port" --format csv >"$WORK/demo.csv"
check "demo: --once shows the demo's endpoints" \
    python3 -c "import csv,sys; n=[r['name'] for r in csv.DictReader(open('$WORK/demo.csv'))]; assert len(n)>=10 and 'GET /health' in n, n"

timeout 10 "$HOTMON" --window 2m --once >/dev/null 2>"$WORK/err"
rc=$?
check "bad value: exit 2" test $rc -eq 2
check "bad value: names the flag and what it takes" grep -q "window: '2m' is not one of 10s, 1m, 5m, all" "$WORK/err"
timeout 10 "$HOTMON" --frobnicate >/dev/null 2>"$WORK/err"
rc=$?
check "unknown flag: exit 2 with a hint" test $rc -eq 2 -a -n "$(grep "Try 'hotmon --help'" "$WORK/err")"

port=$(free_port)
timeout 20 "$HOTMON" --once --after 3 --bind "tcp://127.0.0.1:$port" >/dev/null 2>&1 &
first=$!
PIDS+=("$first")
sleep 1
timeout 10 "$HOTMON" --once --after 0.1 --bind "tcp://127.0.0.1:$port" >/dev/null 2>"$WORK/err"
rc=$?
check "address in use: exit 2" test $rc -eq 2
check "address in use: names the address and suggests --bind or --connect" \
    grep -q "tcp://127.0.0.1:$port is already in use.*--bind.*--connect" "$WORK/err"
wait "$first"

port=$(free_port)
timeout 20 "$HOTMON" --demo --once --after 1 --bind "tcp://127.0.0.1:$port" --format json \
    --snapshot "$WORK/snap.json" >"$WORK/stdout"
check "--snapshot FILE: a whole JSON file, nothing on stdout" \
    python3 -c "import json; json.load(open('$WORK/snap.json'))"
check "--snapshot FILE: stdout empty" test ! -s "$WORK/stdout"
ln -s "$WORK/elsewhere" "$WORK/link.json"
timeout 20 "$HOTMON" --once --after 0.2 --bind "tcp://127.0.0.1:$(free_port)" \
    --snapshot "$WORK/link.json" 2>"$WORK/err"
rc=$?
check "--snapshot onto a symlink: refused, exit 1" test $rc -eq 1 -a ! -e "$WORK/elsewhere"

finish
