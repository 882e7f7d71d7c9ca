#!/bin/bash
# tests/term.sh - the dashboard in a real terminal: hotmon --demo runs in a
# tmux pane with real ncurses; keys go in with send-keys and the screen comes
# back with capture-pane, as tmux's own regress tests do.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$PWD/$HM_BUILD/hotmon
PUB=$PWD/$HM_BUILD/tests/prog_publish
if ! command -v tmux >/dev/null; then
    fail "tmux is installed"
    finish
    exit 1
fi
SOCK="hm-test-$$"
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null; cleanup' EXIT
port=$(free_port)
ADDR="tcp://127.0.0.1:$port"

screen() { T capture-pane -p -t hm; }

# wait_for PATTERN [SECONDS]: until the screen matches (extended regex).
wait_for() {
    local i
    for ((i = 0; i < ${2:-15} * 10; i++)); do
        screen | grep -Eq -- "$1" && return 0
        sleep 0.1
    done
    return 1
}

# The endpoint names on screen, in order (rows start at line 4).
names() { screen | sed -n '4,$p' | grep -E '^(GET|POST|WS|evil)' | sed 's/  .*//'; }

T new-session -d -s hm -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
    "cd '$WORK' && '$HOTMON' --demo --bind $ADDR --snapshot-dir '$WORK'; echo EXIT=\$? >'$WORK/exit'; sleep 60"

check "the demo's rows and the columns show" wait_for 'GET /health'
check "headers: endpoint, rate, percentiles, errors, in-flight, queue" \
    wait_for 'ENDPOINT +RATE/s +P50 +P95 +P99. +MAX +ERR% +INFLT +QUEUE'

# a hostile name: clear-screen, CSI as a C1 byte, carriage return, backspace
timeout 20 "$PUB" "$ADDR" 'evil\x1b[2J\x9b31m\x0dX\x08Y\xe2\x80\xaeZ' 50 5 >/dev/null
check "a hostile name shows escaped" wait_for 'evil\\x1b\[2J\\x9b31m\\x0dX\\x08Y\\u202eZ'
check "and the screen was not cleared by it" wait_for '^window 1m +sort p99. +senders [0-9]'

T send-keys -t hm / h e a l t h
check "typing a filter leaves only matching rows" \
    bash -c "sleep 0.5; [ \"\$(tmux -L $SOCK capture-pane -p -t hm | sed -n '4,\$p' | grep -cE '^(GET|POST|WS|evil)')\" = 1 ]"
check "the filter and its match count show" wait_for 'filter: health_ +\(1 of 1[0-9]\)'
T send-keys -t hm Enter Escape
check "Esc clears the filter" wait_for 'WS /stream'

first_desc=$(names | head -1)
T send-keys -t hm I
sleep 1
first_asc=$(names | head -1)
check "I reverses the sort: the fastest endpoint comes first" \
    test "$first_asc" = "GET /static/app.js" -a "$first_desc" != "$first_asc"
T send-keys -t hm I '<' '<' '<' '<'
check "< moves the sort column (to the name)" wait_for 'ENDPOINT.  '
sorted=$(names | sort)
check "sorted by name the rows are in order" test "$(names)" = "$sorted"

T send-keys -t hm s
check "s writes a snapshot and says where" wait_for 'snapshot written to .*hotmon-[0-9]{8}-[0-9]{6}\.txt'
file=$(ls "$WORK"/hotmon-*.txt 2>/dev/null | head -1)
check "the snapshot has the screen's rows, in the same order" \
    bash -c "[ -n '$file' ] && diff <(sed -n '3,\$p' '$file' | sed 's/  .*//') <(tmux -L $SOCK capture-pane -p -t hm | sed -n '4,\$p' | grep -E '^(GET|POST|WS|evil)' | sed 's/  .*//')"

T send-keys -t hm '?'
check "? shows every key" wait_for 'hotmon keys'
T send-keys -t hm x
check "any key closes the help" wait_for 'ENDPOINT'

T send-keys -t hm Enter
check "Enter opens the detail view" wait_for 'latency histogram'
T send-keys -t hm Escape
check "Esc goes back to the table" wait_for 'ENDPOINT'

T resize-window -t hm -x 80 -y 24
check "at 80x24 the header and rows still render" wait_for 'ENDPOINT.? +RATE/s.*P99.*ERR%'
check "at 80x24 no line is wider than the screen" \
    bash -c "tmux -L $SOCK capture-pane -p -t hm | python3 -c 'import sys; sys.exit(any(len(l.rstrip(\"\\n\")) > 80 for l in sys.stdin))'"

T send-keys -t hm 1
check "1 chooses the 10 s window" wait_for 'window 10s'
T send-keys -t hm 4
check "4 chooses the whole run" wait_for 'window all'
T send-keys -t hm Space
check "space pauses the view" wait_for '\[PAUSED\]'
T send-keys -t hm Space
check "space again resumes" bash -c "sleep 0.5; ! tmux -L $SOCK capture-pane -p -t hm | grep -q PAUSED"
T send-keys -t hm t
check "t cycles to the next theme" wait_for 'theme light'
T send-keys -t hm r
check "r resets the statistics" wait_for 'statistics reset'

T send-keys -t hm q
check "q exits with status 0" bash -c "for i in \$(seq 50); do [ -f '$WORK/exit' ] && break; sleep 0.1; done; grep -qx EXIT=0 '$WORK/exit'"
check "the terminal is restored (the table is gone)" bash -c "! tmux -L $SOCK capture-pane -p -t hm | grep -q ENDPOINT"

# NO_COLOR: attributes only, no colour in any cell.
T new-session -d -s nc -x 100 -y 30 -e LANG=C.UTF-8 -e TERM=xterm-256color -e NO_COLOR=1 \
    "'$HOTMON' --demo --bind tcp://127.0.0.1:$(free_port); sleep 60"
# wait_on PANE PATTERN: like wait_for, on another pane, with escapes kept.
wait_on() {
    local i
    for ((i = 0; i < 150; i++)); do
        T capture-pane -e -p -t "$1" | grep -Eq -- "$2" && return 0
        sleep 0.1
    done
    return 1
}
check "NO_COLOR: the screen draws" wait_on nc 'ENDPOINT'
check "NO_COLOR: no colour escape at all" \
    bash -c "! tmux -L $SOCK capture-pane -e -p -t nc | grep -Eq $'\\e\\\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;|48;|9[0-7]|10[0-7])[;m]'"
check "NO_COLOR: the header still stands out (reverse video)" wait_on nc $'\e\\[([0-9]+;)*7m'
T send-keys -t nc q

finish
