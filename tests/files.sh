#!/bin/bash
# tests/files.sh - snapshot files are written atomically: hotmon killed with
# SIGKILL at random moments while it writes leaves the target whole (the old
# content or the new, never a part); the system calls go temporary file in
# the same directory, fsync, rename, fsync of the directory; a symlink at the
# target is refused; the file's mode follows the umask.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$HM_BUILD/hotmon
export XDG_CONFIG_HOME=$WORK/noconfig
need "$HOTMON"
# A snapshot of the demo, as JSON, into FILE; the address is any free port.
snap() { # FILE [AFTER]
    timeout 20 "$HOTMON" --demo --once --after "${2:-0.2}" --bind 'tcp://127.0.0.1:*' \
        --format json --snapshot "$1"
}
whole() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["endpoints"]' "$1" 2>/dev/null; }

D=$WORK/kill
mkdir -p "$D"
snap "$D/snap.json" >/dev/null 2>&1
check "a first snapshot is written whole" whole "$D/snap.json"

# Kill at random moments around the write (it comes after --after 0.2 s):
# from before it to after it, 40 times. (The write takes a few ms of each
# 0.3 s run, so most kills land before or after; over many runs some land in it.)
broken=0 replaced=0 kills=0
for i in $(seq 40); do
    before=$(md5sum <"$D/snap.json")
    snap "$D/snap.json" 0.2 >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf "%03d" $((100 + RANDOM % 250)))"
    kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
    wait "$pid" 2>/dev/null
    if ! whole "$D/snap.json"; then
        broken=$((broken + 1))
        cp "$D/snap.json" "$WORK/broken.$i"
        snap "$D/snap.json" >/dev/null 2>&1
    elif [ "$(md5sum <"$D/snap.json")" != "$before" ]; then
        replaced=$((replaced + 1))
    fi
done
leftover=$(find "$D" -name '.hotmon-*' | wc -l)
check "SIGKILL at random moments: the target always whole ($kills kills, $replaced replaced, $broken broken)" \
    test "$broken" = 0
check "SIGKILL at random moments: only the whole file under its name ($leftover temporary files left, hidden)" \
    test "$(find "$D" -type f ! -name '.hotmon-*' | wc -l)" = 1
echo "     figures: $kills kills, target replaced $replaced times, never broken; $leftover hidden .hotmon-* left"

# Kill exactly while the temporary file exists: a watcher polls the folder
# and sends SIGKILL the moment it sees it, 20 times.
check "SIGKILL while the temporary file is being written: the target stays whole" \
    python3 - "$HOTMON" "$D" <<'EOF'
import json, os, signal, subprocess, sys, time
hotmon, d = sys.argv[1], sys.argv[2]
caught = 0
for i in range(20):
    p = subprocess.Popen([hotmon, "--demo", "--once", "--after", "0.1", "--bind", "tcp://127.0.0.1:*",
                          "--format", "json", "--snapshot", d + "/snap.json"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    before = set(n for n in os.listdir(d) if n.startswith(".hotmon-"))
    deadline = time.time() + 10
    while p.poll() is None and time.time() < deadline:
        if any(n.startswith(".hotmon-") and n not in before for n in os.listdir(d)):
            p.send_signal(signal.SIGKILL)
            caught += 1
            break
    p.wait()
    assert json.load(open(d + "/snap.json"))["endpoints"], i
print(f"     figures: caught {caught} of 20 runs with the temporary file open")
EOF

# The system calls, in order, with strace when there is one.
if command -v strace >/dev/null; then
    strace -f -qq -o "$WORK/strace" -e trace=openat,fsync,fdatasync,rename,renameat,renameat2,link,linkat \
        timeout 20 "$HOTMON" --once --after 0.1 --bind 'tcp://127.0.0.1:*' --format json \
        --snapshot "$D/traced.json" >/dev/null 2>&1
    check "strace: temporary file in the same folder (O_EXCL), fsync, rename, then fsync of the folder" \
        python3 - "$WORK/strace" "$D" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
d = sys.argv[2]
steps = []
fds = {}
for l in lines:
    m = re.search(r'openat\(AT_FDCWD, "([^"]+)", ([^)]*)\)\s*= (\d+)', l)
    if m:
        fds[m.group(3)] = m.group(1)
        if m.group(1).startswith(d + "/.hotmon-") and "O_EXCL" in m.group(2):
            steps.append("tmp")
        elif m.group(1) == d and "O_DIRECTORY" in m.group(2):
            steps.append("opendir")
        continue
    m = re.search(r"fsync\((\d+)\)\s*= 0", l)
    if m:
        p = fds.get(m.group(1), "")
        steps.append("fsync-tmp" if p.startswith(d + "/.hotmon-") else "fsync-dir" if p == d else "fsync?")
        continue
    m = re.search(r'rename(?:at2?)?\(.*"([^"]+)".*"([^"]+)".*\)\s*= 0', l)
    if m and m.group(2) == d + "/traced.json" and m.group(1).startswith(d + "/.hotmon-"):
        steps.append("rename")
want = ["tmp", "fsync-tmp", "rename", "opendir", "fsync-dir"]
assert steps == want, steps
EOF
fi

# A symlink planted at the target: refused, nothing written through it.
echo precious >"$WORK/precious"
ln -s "$WORK/precious" "$D/link.json"
snap "$D/link.json" >/dev/null 2>"$WORK/err"
rc=$?
check "a symlink at the target: exit 1, the reason given, the file it points to untouched" \
    bash -c "[ $rc = 1 ] && grep -q 'symbolic link' '$WORK/err' && [ \"\$(cat '$WORK/precious')\" = precious ] && [ -L '$D/link.json' ]"

# The mode follows the umask.
for mask in 022 077 027 002; do
    rm -f "$D/mode.json"
    (umask "$mask" && snap "$D/mode.json" 0.1 >/dev/null 2>&1)
    want=$(printf '%o' $((0666 & ~8#$mask)))
    got=$(stat -c %a "$D/mode.json" 2>/dev/null)
    check "umask $mask: the snapshot's mode is $want ($got)" test "$got" = "$want"
done

finish
