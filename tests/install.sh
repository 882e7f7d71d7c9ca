#!/bin/bash
# tests/install.sh - make install into a scratch prefix, then build the README's
# example against it with pkg-config (static and shared), run it, and see its
# requests in hotmon --once: the library, the header and libhotmon.pc as a
# user gets them.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
PREFIX=$WORK/prefix
# A build of its own, so the test does not rebuild the tree under test.
make -s install BUILD="$WORK/build" PREFIX="$PREFIX" >"$WORK/install.log" 2>&1
check "make install PREFIX=... succeeds" test $? -eq 0
check "installs the header, the libraries, the .pc, hotmon and the man page" \
    test -f "$PREFIX/include/hotmon.h" -a -f "$PREFIX/lib/libhotmon.a" -a -f "$PREFIX/lib/libhotmon.so.0" \
    -a -f "$PREFIX/lib/pkgconfig/libhotmon.pc" -a -x "$PREFIX/bin/hotmon" -a -f "$PREFIX/share/man/man1/hotmon.1"
make -s install BUILD="$WORK/build" PREFIX=/usr DESTDIR="$WORK/dest" >>"$WORK/install.log" 2>&1
check "DESTDIR is honoured" test -f "$WORK/dest/usr/include/hotmon.h" -a -f "$WORK/dest/usr/lib/pkgconfig/libhotmon.pc"

export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
flags=$(pkg-config --cflags --libs libhotmon) && static=$(pkg-config --cflags --libs --static libhotmon)
check "pkg-config knows libhotmon" test -n "$flags"
cc examples/service.c $static -o "$WORK/service-static" -Wl,-Bstatic -lhotmon -Wl,-Bdynamic 2>"$WORK/cc.log" ||
    cc examples/service.c -L"$PREFIX/lib" -l:libhotmon.a $(pkg-config --libs libzmq) -lpthread -I"$PREFIX/include" -o "$WORK/service-static" 2>>"$WORK/cc.log"
check "the README example builds against the static library" test -x "$WORK/service-static"
cc examples/service.c $flags -o "$WORK/service" 2>>"$WORK/cc.log"
check "the README example builds against the shared library" test -x "$WORK/service"

port=$(free_port)
timeout 20 "$PREFIX/bin/hotmon" --once --after 3 --bind "tcp://127.0.0.1:$port" --format json \
    --window all >"$WORK/view.json" &
hm=$!
sleep 0.5
HOTMON_ENDPOINT=tcp://127.0.0.1:$port LD_LIBRARY_PATH=$PREFIX/lib timeout 20 "$WORK/service" 500 >"$WORK/service.out"
check "the example runs and drops nothing" grep -q 'requests 500 recorded 500 dropped 0' "$WORK/service.out"
wait $hm
check "hotmon sees its 500 requests, 5 errors and both phases" python3 - "$WORK/view.json" <<'PY'
import json, sys
e = {x["name"]: x for x in json.load(open(sys.argv[1]))["endpoints"]}["GET /user"]
assert e["count"] == 500 and e["errors"] == 5, e
assert sorted(p["name"] for p in e["phases"]) == ["lookup", "render"], e["phases"]
PY
finish
