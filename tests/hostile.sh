#!/bin/bash
# tests/hostile.sh - hostile endpoint names end to end: published through the
# real client to a real hotmon, written out in every format, to stdout, to
# a --snapshot file, to the SLO events file and to the Markdown report. No control byte (C0, DEL, C1 raw or UTF-8 encoded), no
# bidi override or isolate, no zero-width character and no invalid UTF-8 may
# come out, on stdout, stderr or in the file; every text row keeps its width
# in terminal cells, double-width characters included. (The screen itself is
# tests/term.sh's.)
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$HM_BUILD/hotmon
PUBLISH=$HM_BUILD/tests/prog_publish
export XDG_CONFIG_HOME=$WORK/noconfig LANG=C.UTF-8
need "$HOTMON" "$PUBLISH"

# One name per attack, as prog_publish's \xNN escapes.
NAMES=(
    'clear\x1b[2J\x1b[H'            # ESC [2J: clear the screen
    'osc52\x1b]52;c;aGVsbG8=\x07'  # OSC 52: write the clipboard
    'c1raw\x9b31m'                  # CSI as the C1 byte 0x9B (not UTF-8)
    'c1utf8\xc2\x9b31m'             # CSI as U+009B
    'cr\rovertyped'                 # carriage return
    'bs\x08\x08\x08erased'          # backspace
    'bidi\xe2\x80\xaeevil'          # U+202E right-to-left override
    'isolate\xe2\x81\xa6x\xe2\x81\xa9' # U+2066 .. U+2069 isolates
    'zw\xe2\x80\x8bspace\xef\xbb\xbf' # zero-width space, BOM
    'wide\xe6\xbc\xa2\xe5\xad\x97\xef\xbc\xa1' # double-width CJK and fullwidth A
    'nul-free\x01\x02\x7f'          # other C0 and DEL
    'tab\there'
    'plain'
)

free_ports 5
# Runs: the four formats to stdout, and JSON to a --snapshot file ("snap"),
# that run with an SLO every endpoint breaches, so that each name also goes
# into the events file and the Markdown report.
printf '* p95 < 1us 10s\ncheck 200ms\n' >"$WORK/breach.rules"
runs=(text md csv json snap)
for i in 0 1 2 3 4; do
    r=${runs[$i]}
    addr=tcp://127.0.0.1:${PORTS[$i]}
    if [ "$r" = snap ]; then
        out=(--format json --snapshot "$WORK/snap.json" --slo "$WORK/breach.rules"
             --events "$WORK/events.jsonl" --report "$WORK/report.md")
    else
        out=(--format "$r")
    fi
    timeout 30 "$HOTMON" --once --after 3 --bind "$addr" --window all "${out[@]}" \
        >"$WORK/out.$r" 2>"$WORK/err.$r" &
    PIDS+=($!)
    sleep 0.3
    for n in "${NAMES[@]}"; do
        timeout 20 "$PUBLISH" "$addr" "$n" 3x1ms >>"$WORK/pub.log" 2>&1 &
    done
done
wait

check "every hostile name was published (13 names x 5 runs)" \
    test "$(grep -c '^counters: produced 3 sent 3 dropped 0' "$WORK/pub.log")" = 65

# clean FILE...: valid UTF-8 with no control or invisible character but \n
# (and CSV's CRLF line ends).
clean() {
    python3 - "$@" <<'EOF'
import sys, unicodedata
bad = []
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
        if path.endswith(".csv"):
            text = text.replace("\r\n", "\n")  # RFC 4180's line ends, docs/formats.md
    except UnicodeDecodeError as e:
        bad.append(f"{path}: invalid UTF-8 at {e.start}")
        continue
    for i, ch in enumerate(text):
        o = ord(ch)
        if ch == "\n":
            continue
        if o < 0x20 or 0x7f <= o <= 0x9f or 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069 \
                or o in (0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x061c, 0xfeff) \
                or unicodedata.category(ch) in ("Cc", "Cf"):
            bad.append(f"{path}: U+{o:04X} at {i}")
            break
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOF
}
for f in text md csv json; do
    check "--format $f: no control or invisible character, valid UTF-8, stdout and stderr" \
        clean "$WORK/out.$f" "$WORK/err.$f"
done
check "--snapshot FILE: the file as clean, stdout and stderr empty" \
    bash -c "$(declare -f clean); clean '$WORK/snap.json' && [ ! -s '$WORK/out.snap' ] && [ ! -s '$WORK/err.snap' ]"
check "--events FILE: an event for each of the 13 names, every line clean" \
    bash -c "$(declare -f clean); clean '$WORK/events.jsonl' && [ \"\$(grep -o '\"endpoint\": *\"[^\"]*\"' '$WORK/events.jsonl' | sort -u | wc -l)\" = 13 ]"
check "--report FILE: the Markdown report as clean, the names in it escaped" \
    bash -c "$(declare -f clean); clean '$WORK/report.md' && grep -qF 'u202eevil |' '$WORK/report.md' && grep -qF x1b '$WORK/report.md'"

check "--format json: all 13 names, each shown with its escapes" python3 - "$WORK/out.json" <<'EOF'
import json, sys
names = {e["name"] for e in json.load(open(sys.argv[1]))["endpoints"]}
assert len(names) == 13, names
for want in ("clear\\x1b[2J\\x1b[H", "c1raw\\x9b31m", "cr\\rovertyped", "bidi\\u202eevil",
             "wide\u6f22\u5b57\uff21", "plain"):
    assert want in names, (want, sorted(names))
EOF

check "--format text: every row as wide as the header, in terminal cells" python3 - "$WORK/out.text" <<'EOF'
import sys, unicodedata
def cells(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
h = next(i for i, l in enumerate(lines) if l.startswith("ENDPOINT"))
rows = [l for l in lines[h + 1:] if l.strip()]
assert len(rows) == 13, rows
# every row ends its last column where the header does
want = cells(lines[h])
widths = {r: cells(r) for r in rows}
assert all(w == want for w in widths.values()), (want, widths)
EOF

check "--format csv: 13 rows, each with as many fields as the header" python3 - "$WORK/out.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
assert len(rows) == 14 and all(len(r) == len(rows[0]) for r in rows), rows
EOF

check "--format md: 13 table rows, none breaking the table" python3 - "$WORK/out.md" <<'EOF'
import sys
lines = [l for l in open(sys.argv[1], encoding="utf-8") if l.startswith("|")]
head = lines[0].count("|") - lines[0].count("\\|")
rows = [l for l in lines[2:]]
assert len(rows) == 13, rows
assert all(l.count("|") - l.count("\\|") == head for l in rows), rows
EOF

finish
