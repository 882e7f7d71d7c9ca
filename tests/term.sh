#!/bin/bash
# tests/term.sh - the dashboard in a real terminal: hotmon --demo runs in a
# tmux pane with real ncurses; keys go in with send-keys and the screen comes
# back with capture-pane, as tmux's own regress tests do. Every wait is
# bounded; the tmux server (its own socket) dies with the script.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$PWD/$HM_BUILD/hotmon
PUB=$PWD/$HM_BUILD/tests/prog_publish
if ! command -v tmux >/dev/null || [ ! -x "$HOTMON" ] || [ ! -x "$PUB" ]; then
    fail "tmux, $HOTMON and $PUB are there"
    finish
    exit 1
fi
SOCK="hm-test-$$"
T() { timeout 10 tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null; cleanup' EXIT
export PYTHONIOENCODING=utf-8

screen() { T capture-pane -p -t "${1:-hm}"; }

# wait_for PATTERN [SECONDS [TARGET]]: until the screen matches (extended regex).
wait_for() {
    local i
    for ((i = 0; i < ${2:-10} * 10; i++)); do
        screen "${3:-hm}" | grep -Eq -- "$1" && return 0
        sleep 0.1
    done
    echo "    (screen did not show /$1/:)"
    screen "${3:-hm}" | sed 's/^/    | /' | head -30
    return 1
}

# wait_until COMMAND...: until it succeeds, up to 10 s.
# Runs "$@" until it succeeds, for up to 10 s. Anything that reads the screen
# must be re-run each time: pass it through eval in single quotes, as
# `wait_until eval 'test "$(row_count)" -ge 11'`, not as a $(...) argument,
# which the shell would expand once, before the first try.
wait_until() {
    local i
    for ((i = 0; i < 100; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# The table's rows (lines after the header line, up to the SLO line).
rows() { screen | sed -n '/ENDPOINT/,/^SLO:/p' | sed '1d;$d' | grep -v '^ *$'; }
# The endpoint names on screen, in order (every demo name is two words).
names() { rows | grep -E '^(GET|POST|WS) ' | awk '{print $1" "$2}'; }
row_count() { rows | wc -l; }

# column_ordered HEADER desc|asc: the values under HEADER (right-aligned, in
# human units) are in that order.
column_ordered() {
    screen | python3 -c '
import re, sys
head, order = sys.argv[1], sys.argv[2]
lines = sys.stdin.read().split("\n")
h = next(i for i, l in enumerate(lines) if "ENDPOINT" in l)
m = re.search(re.escape(head) + r"\S*", lines[h])
end = m.end()
units = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1, "k": 1e3, "M": 1e6, "G": 1e9, "%": 1, "": 1}
vals = []
for l in lines[h + 1:]:
    if l.startswith("SLO:") or not l.strip():
        break
    cell = l[:end].split()[-1]
    if cell == "-":  # no samples in the window: no number to order
        continue
    n = re.fullmatch(r"([0-9.]+)(\D*)", cell)
    if not n:
        sys.exit("bad cell %r" % cell)
    vals.append(float(n.group(1)) * units[n.group(2)])
want = sorted(vals, reverse=(order == "desc"))
if len(vals) < 5 or vals != want:
    sys.exit("%s not %s: %s" % (head, order, vals))
' "$1" "$2"
}

# plain SESSION ENV...: starts hotmon (no demo, a port of its own) in a
# 100x30 tmux session with ENV; its pid goes to $WORK/SESSION.pid, its exit
# status line to $WORK/SESSION.exit and the tty's modes after it to
# $WORK/SESSION.stty. Waits for its empty table.
plain() {
    local name=$1 port
    shift
    port=$(free_port)
    local envs=()
    for e in "$@"; do envs+=(-e "$e"); done
    T new-session -d -s "$name" -x 100 -y 30 "${envs[@]}" \
        "cd '$WORK' && ulimit -c 0 && sh -c 'echo \$\$ >$name.pid; exec \"\$0\" --bind tcp://127.0.0.1:$port' '$HOTMON'; echo EXIT=\$? >'$WORK/$name.exit'; stty -a >'$WORK/$name.stty'; sleep 60"
    wait_for "No samples yet: listening on tcp://127.0.0.1:$port" 10 "$name"
}

# tty_restored SESSION: the session's tty came back in cooked mode with echo
# (from $WORK/SESSION.stty) and the dashboard is gone from the pane.
tty_restored() {
    local f=$WORK/$1.stty
    wait_until test -s "$f" && grep -qw icanon "$f" && grep -qw echo "$f" &&
        ! grep -qw -- -icanon "$f" && ! grep -qw -- -echo "$f" &&
        ! screen "$1" | grep -qE 'No samples|ENDPOINT'
}

port=$(free_port)
ADDR="tcp://127.0.0.1:$port"
T new-session -d -s hm -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
    "cd '$PWD' && '$HOTMON' --demo --bind $ADDR --snapshot-dir '$WORK'; echo EXIT=\$? >'$WORK/hm.exit'; stty -a >'$WORK/hm.stty'; sleep 60"

check "the demo's rows show" wait_for 'GET /health'
check "the status line: address, senders, ingest, drops, lost, rejected" \
    wait_for "^hotmon $ADDR +senders [1-9][0-9]* +ingest [0-9.kM]+/s +drops [0-9]+ +lost [0-9]+ +rejected [0-9]+"
check "the window and sort show" wait_for 'window 1m +sort p99↓ *$'
check "headers: endpoint, rate, percentiles, errors, in-flight, queue, SLO, trend" \
    wait_for 'ENDPOINT +RATE/s +P50 +P95 +P99↓ +MAX +ERR% +INFLT +QUEUE +SLO +P99 TREND'
check "the SLO pane and the key hints show" wait_for '^\?:help +/:filter .* q:quit *$'
check "at least ten demo rows" wait_until eval 'test "$(names | wc -l)" -ge 10'
check "rows are sorted by p99, slowest first" wait_until column_ordered P99 desc

# a hostile name: clear-screen, CSI as a C1 byte, carriage return,
# backspace, a right-to-left override
timeout 20 "$PUB" "$ADDR" 'evil\x1b[2J\x9b31m\x0dX\x08Y\xe2\x80\xaeZ' 50 5 >/dev/null
check "a hostile name shows escaped" wait_for 'evil\\x1b\[2J\\x9b31m\\(x0d|r)X\\(x08|b)Y\\u202eZ'
check "and the screen was not cleared by it" wait_for '^hotmon tcp://127.0.0.1'

T send-keys -t hm / h e a l t h
check "typing a filter leaves only matching rows" \
    wait_until eval 'test "$(rows | grep -cE '\''^(GET|POST|WS|evil)'\'')" = 1 -a "$(names)" = "GET /health"'
check "the filter and its match count show" wait_for 'filter: health_ +\(1 of 1[0-9]\)'
T send-keys -t hm Enter
check "Enter keeps the filter" wait_for 'filter: health +\(1 of 1[0-9] endpoints\)'
T send-keys -t hm / BSpace BSpace BSpace BSpace BSpace BSpace '~^POST /(orders|jobs)$' Enter
check "a ~regex filter" wait_until eval 'test "$(names | sort | tr '\''\n'\'' ,)" = "POST /jobs,POST /orders,"'
T send-keys -t hm Escape
check "Esc clears the filter" wait_until eval 'test "$(row_count)" -ge 11'

T send-keys -t hm '<' '<' '<'
check "< moves the sort column (to the rate)" wait_for 'RATE/s↓'
check "sorted by rate the rates go down" wait_until column_ordered RATE/s desc
first_desc=$(names | head -1)
T send-keys -t hm I
check "I reverses: the rates go up" wait_until column_ordered RATE/s asc
check "and the rows change order" wait_until eval 'test "$(names | head -1)" != "$first_desc"'
T send-keys -t hm '<'
check "< to the name sorts A to Z" wait_for 'ENDPOINT↑'
check "sorted by name the rows are in order" wait_until eval 'test "$(names)" = "$(names | LC_ALL=C sort)"'
T send-keys -t hm '>' '>' '>' '>'
check "> moves right (to p99)" wait_for 'P99↓'

T send-keys -t hm 1
check "1 chooses the 10 s window" wait_for 'window 10s +sort'
T send-keys -t hm 4
check "4 chooses the whole run" wait_for 'window all +sort'
T send-keys -t hm 2 Space
check "space pauses" wait_for 'PAUSED +window 1m'
T send-keys -t hm Space
check "space resumes" bash -c "sleep 0.3; ! tmux -L $SOCK capture-pane -p -t hm | grep -q PAUSED"

# paused, the screen holds still, so the file's rows must be the screen's,
# in the same order
T send-keys -t hm Space
wait_for 'PAUSED' >/dev/null
T send-keys -t hm s
check "s writes a snapshot and says where" wait_for 'snapshot written to .*hotmon-[0-9]{8}-[0-9]{6}\.txt'
file=$(ls "$WORK"/hotmon-*.txt 2>/dev/null | head -1)
check "the snapshot has the screen's rows, in the same order" \
    bash -c "[ -n '$file' ] && [ \$(grep -cE '^(GET|POST|WS) ' '$file') -ge 10 ] && diff <(grep -oE '^(GET|POST|WS) [^ ]+' '$file') <(tmux -L $SOCK capture-pane -p -t hm | grep -oE '^(GET|POST|WS) [^ ]+')"
T send-keys -t hm Space

T send-keys -t hm t
check "t loads the next theme" wait_for '^theme light +window'

T send-keys -t hm r
check "r resets the statistics" wait_for '^statistics reset'

T send-keys -t hm '?'
check "? shows every key" wait_for 'hotmon keys'
check "help names the filter, sort, window, pause, snapshot and quit keys" \
    bash -c "s=\$(tmux -L $SOCK capture-pane -p -t hm); for k in '^  / ' '^  <' '^  I ' '^  1 2 3 4' '^  space' '^  Enter' '^  s ' '^  t ' '^  r ' '^  q '; do grep -q -- \"\$k\" <<<\"\$s\" || exit 1; done"
check "help explains the SLO column" wait_for '^SLO column: FAIL breached at the last check, DRFT p95 drifting up, ok held, - no rule\.$'
T send-keys -t hm q
check "any key closes the help (q too, without quitting)" wait_for 'ENDPOINT'

T send-keys -t hm Enter
check "Enter opens the detail view" wait_for 'latency histogram'
check "the detail view shows percentiles and history" wait_for '^ +p99 +[0-9.]+(µs|ms|s) '
T send-keys -t hm Escape
check "Esc goes back to the table" wait_for 'ENDPOINT'

T resize-window -t hm -x 80 -y 24
check "at 80x24 the status, header and rows still render" wait_for 'ENDPOINT +RATE/s .*P99↓ .*ERR%'
check "at 80x24 the status line keeps its counters" wait_for 'senders [0-9]+ +ingest .* rejected [0-9]+'
check "at 80x24 no line is wider than the screen" \
    bash -c "tmux -L $SOCK capture-pane -p -t hm | python3 -c 'import sys; sys.exit(any(len(l) > 80 for l in sys.stdin.read().split(chr(10))))'"
check "at 80x24 the hints end with q:quit" wait_for 'q:quit *$'
T resize-window -t hm -x 120 -y 40
check "growing again brings the trend column back" wait_for 'P99 TREND'

T send-keys -t hm q
check "q exits with status 0" wait_until grep -sqx EXIT=0 "$WORK/hm.exit"
check "  and restores the terminal" tty_restored hm

# Without a UTF-8 locale nor colour the screen is plain ASCII; an empty
# table says how to send samples.
check "an empty table says where it listens" plain sig LANG=C LC_ALL=C NO_COLOR=1 TERM=xterm
check "  and how to send samples" wait_for "HOTMON_ENDPOINT=tcp://127.0.0.1:[0-9]+" 10 sig
check "NO_COLOR: no colour escape at all" \
    bash -c "! tmux -L $SOCK capture-pane -e -p -t sig | grep -Eq $'\\e\\\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;|48;|9[0-7]|10[0-7])[;m]'"
check "NO_COLOR: the header still stands out (reverse video)" \
    bash -c "tmux -L $SOCK capture-pane -e -p -t sig | grep -Eq $'\\e\\\\[([0-9]+;)*7m'"
check "without a UTF-8 locale the screen is ASCII" \
    bash -c "tmux -L $SOCK capture-pane -p -t sig | LC_ALL=C grep -q 'sort p99v' && ! tmux -L $SOCK capture-pane -p -t sig | LC_ALL=C grep -q \$'[\x80-\xff]'"
# SIGTERM, Ctrl-C and a fatal signal leave the terminal as they found it.
kill -TERM "$(cat "$WORK/sig.pid")" 2>/dev/null
check "SIGTERM ends it with status 0" wait_until grep -sqx EXIT=0 "$WORK/sig.exit"
check "  and restores the terminal" tty_restored sig

plain int LANG=C.UTF-8 TERM=xterm-256color >/dev/null
T send-keys -t int C-c
check "Ctrl-C ends it with status 0" wait_until grep -sqx EXIT=0 "$WORK/int.exit"
check "  and restores the terminal" tty_restored int

# SLO rules on the demo: the column, the pane with its newest events, and
# the detail view's rule, budget and trend lines.
printf '"WS /stream" p95 < 1ms 10s\n"GET /health" p99 < 250ms 10s 99%%\ncheck 1s\n' >"$WORK/demo.rules"
port=$(free_port)
T new-session -d -s slo -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
    "cd '$PWD' && '$HOTMON' --demo --bind tcp://127.0.0.1:$port --slo '$WORK/demo.rules' --report '$WORK/demo.md'; echo EXIT=\$? >'$WORK/slo.exit'; sleep 60"
check "SLO: a breached rule shows FAIL in its row" wait_for '^WS /stream .* FAIL ' 15 slo
check "SLO: a rule that holds shows ok" wait_for '^GET /health .* ok ' 15 slo
check "SLO: the pane counts rules and breaches" \
    wait_for '^SLO: 2 rules, 1 breaching now, [1-9][0-9]* breaches, 0 recoveries, 0 drifting' 15 slo
check "SLO: the pane counts breaches per rule" \
    wait_for '^by rule: "WS /stream" p95 < 1ms 10s: [1-9][0-9]* \(1 now\) \| "GET /health" p99 < 250ms 10s 99%: 0$' 15 slo
check "SLO: the pane lists the newest event" \
    wait_for '^[0-9:]{8} FAIL WS /stream  "WS /stream" p95 < 1ms 10s  was [0-9.]+s$' 15 slo
T send-keys -t slo / h e a l t h Enter Enter
check "SLO: the detail view shows the objective rule with its budget and burn" \
    wait_for '^SLO ok   "GET /health" p99 < 250ms 10s 99%  now 100(\.00)?% good  0 breaches  budget 100(\.0)?% left, burn 0(\.00)?x \(1m\) 0(\.00)?x \(5m\)' 15 slo
check "SLO: and the p95 trend" wait_for '^p95 trend: needs 3 minutes of samples \(0 so far\)' 5 slo
T send-keys -t slo Escape q
check "SLO: q writes the report" wait_until grep -sq '^| verdict | \*\*FAIL\*\* |$' "$WORK/demo.md"
check "SLO: the dashboard still exits 0 (the verdict is for --once)" wait_until grep -sqx EXIT=0 "$WORK/slo.exit"

plain abrt LANG=C.UTF-8 TERM=xterm-256color >/dev/null
kill -ABRT "$(cat "$WORK/abrt.pid")" 2>/dev/null
check "SIGABRT still dies of it (status 134)" wait_until grep -sqx EXIT=134 "$WORK/abrt.exit"
check "  after restoring the terminal" tty_restored abrt

finish
