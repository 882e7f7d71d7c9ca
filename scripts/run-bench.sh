#!/bin/bash
# Runs every benchmark of one build (build/bench/bench_*), each bounded in
# time. Each prints Markdown rows "| figure | hotmon | floor or peer | ratio |";
# they are gathered into one table on stdout and into
# bench/results/latest.json. A benchmark compares against its floor or peer
# in the same run, so the ratios hold on a shared, noisy machine.
set -u
BUILD=${1:?usage: run-bench.sh BUILD_DIR}
out=bench/results
mkdir -p "$out"
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
# The statsd daemon, a peer of the ingest bench: from npm, under the build
# folder, never committed. Without the registry its rows say "skipped".
STATSD_JS=$BUILD/npm/node_modules/statsd/stats.js
if [ ! -f "$STATSD_JS" ]; then
    if command -v npm >/dev/null && timeout 120 npm install --prefix "$BUILD/npm" --no-audit \
        --no-fund --omit=optional --loglevel=error statsd@0.9.0 >"$BUILD/npm-install.log" 2>&1; then
        echo "run-bench: installed statsd 0.9.0 under $BUILD/npm"
    else
        echo "run-bench: npm could not install statsd (see $BUILD/npm-install.log): its rows are skipped" >&2
    fi
fi
[ -f "$STATSD_JS" ] && export HM_STATSD_JS="$PWD/$STATSD_JS"
status=0
for b in "$BUILD"/bench/bench_*; do
    [ -x "$b" ] || continue
    name=$(basename "$b")
    echo "## $name"
    if ! timeout --kill-after=5 120 "$b" | tee /dev/stderr | grep '^|' | grep -v -- '---' \
        | grep -vi '^| *figure *|' | sed "s/^/$name	/" >>"$rows"; then
        echo "$name: failed" >&2
        status=1
    fi
    echo
done 2>&1
python3 - "$rows" "$out/latest.json" <<'PY'
import json, sys, time, platform, os
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    bench, _, md = line.rstrip("\n").partition("\t")
    cells = [c.strip() for c in md.strip().strip("|").split("|")]
    if len(cells) < 4:
        continue
    rows.append({"bench": bench, "figure": cells[0], "hotmon": cells[1],
                 "peer": cells[2], "ratio": cells[3]})
doc = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
       "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
       "rows": rows}
json.dump(doc, open(sys.argv[2], "w"), indent=2)
print("| bench | figure | hotmon | floor or peer | ratio |")
print("|---|---|---|---|---|")
for r in rows:
    print(f"| {r['bench']} | {r['figure']} | {r['hotmon']} | {r['peer']} | {r['ratio']} |")
print(f"\n{len(rows)} figures written to {sys.argv[2]}")
PY
exit $status
