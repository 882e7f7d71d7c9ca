#!/bin/bash
# tests/prometheus.sh - a real Prometheus server (Debian's `prometheus`)
# scrapes hotmon-collector --metrics on loopback every second; its query API
# must give back the counts that were published: requests, errors, the
# histogram's buckets and count, a quantile from them, and the collector's
# own counters. Free ports, a temporary config and storage, bounded waits.
# Without the prometheus program it says "skip" and counts it as such.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
. tests/collector.bash
PUBLISH=$HM_BUILD/tests/prog_publish
need "$COLLECTOR" "$PUBLISH"
if ! command -v prometheus >/dev/null; then
    echo "SKIP the Prometheus server is not installed (Debian package prometheus;" \
        "scripts/install-deps.sh installs it): nothing was scraped"
    echo "$passed passed, $failed failed, 1 skipped"
    exit 0
fi

start_collector c --bind "tcp://127.0.0.1:*" --pub none --metrics 127.0.0.1:0 --refresh 200 ||
    fail "the collector starts with --metrics"

free_ports 1
PROM=127.0.0.1:${PORTS[0]}
mkdir -p "$WORK/prom"
cat >"$WORK/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: hotmon
    static_configs:
      - targets: ['$METRICS']
EOF
prometheus --config.file="$WORK/prom/prometheus.yml" --storage.tsdb.path="$WORK/prom/data" \
    --web.listen-address="$PROM" --log.level=warn >"$WORK/prom.log" 2>&1 &
PIDS+=($!)

# query EXPR WANT: the API's single value for EXPR, compared with WANT
# within TOL (absolute); a missing series never matches.
query() { # EXPR WANT [TOL]
    python3 - "$PROM" "$1" "$2" "${3:-0}" <<'EOF'
import json, sys, urllib.parse, urllib.request
prom, expr, want, tol = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
url = "http://%s/api/v1/query?%s" % (prom, urllib.parse.urlencode({"query": expr}))
try:
    doc = json.load(urllib.request.urlopen(url, timeout=5))
except Exception as e:
    sys.exit("%s: %s" % (expr, e))
res = doc["data"]["result"]
if len(res) != 1:
    sys.exit("%s: %d series" % (expr, len(res)))
got = float(res[0]["value"][1])
if abs(got - want) > tol:
    sys.exit("%s = %s, want %s" % (expr, got, want))
EOF
}
ready() { python3 -c "import urllib.request,sys; urllib.request.urlopen('http://$PROM/-/ready', timeout=2)" 2>/dev/null; }
check "the Prometheus server starts on loopback" wait_until 60 ready

timeout 20 "$PUBLISH" "$INGEST" "GET /known" 1000x10ms 20x200ms >"$WORK/pub1" 2>&1 &&
    timeout 20 "$PUBLISH" "$INGEST" "POST /other" 5x1ms:500 >"$WORK/pub2" 2>&1
check "every sample went out" test $? = 0

# queries EXPR WANT TOL [EXPR WANT TOL]...: every one matches.
queries() {
    while [ $# -ge 3 ]; do
        query "$1" "$2" "$3" || return 1
        shift 3
    done
}
# check_queries NAME SECONDS EXPR WANT TOL...: until all match, at most
# SECONDS (a scrape a second); on failure, what the API said.
check_queries() {
    local name=$1 secs=$2
    shift 2
    if wait_until "$secs" queries "$@" 2>/dev/null; then
        ok "$name"
    else
        fail "$name" "$(queries "$@" 2>&1)"
    fi
}
K='endpoint="GET /known"'
check_queries "Prometheus scrapes the collector (up == 1)" 30 'up{job="hotmon"}' 1 0
check_queries "query API: the requests published on GET /known (1020)" 30 \
    "hotmon_requests_total{$K}" 1020 0
check_queries "query API: POST /other's 5 requests, all errors" 10 \
    'hotmon_requests_total{endpoint="POST /other"}' 5 0 \
    'hotmon_errors_total{endpoint="POST /other"}' 5 0
check_queries "query API: the collector's own sample counter (1025)" 10 \
    'hotmon_collector_samples_total' 1025 0
check_queries "query API: histogram count and +Inf bucket equal the requests" 10 \
    "hotmon_request_duration_seconds_count{$K}" 1020 0 \
    "hotmon_request_duration_seconds_bucket{$K,le=\"+Inf\"}" 1020 0
check_queries "query API: 1000 samples of 10 ms under le=0.016777216, none under 0.008388608" 10 \
    "hotmon_request_duration_seconds_bucket{$K,le=\"0.016777216\"}" 1000 0 \
    "hotmon_request_duration_seconds_bucket{$K,le=\"0.008388608\"}" 0 0
check_queries "query API: the exact sum, 14 s" 10 \
    "hotmon_request_duration_seconds_sum{$K}" 14 0.000001
# histogram_quantile interpolates within the 8.4-16.8 ms bucket
check_queries "query API: histogram_quantile(0.5) lands in the 10 ms samples' bucket" 10 \
    "histogram_quantile(0.5, hotmon_request_duration_seconds_bucket{$K})" 0.0125829 0.0041944
check_queries "query API: the collector's rejected frames by reason, all 0" 10 \
    'sum(hotmon_collector_rejected_frames_total)' 0 0

finish
