# hotmon - one Makefile for the library, the programs, the tests and the benchmarks.
#
#   make            build everything into $(BUILD)
#   make run        install missing dependencies, build, start `hotmon --demo`
#   make check      install missing dependencies, build with -Werror, run every
#                   test, then run them again under ASan+UBSan
#   make bench      benchmarks against their floors and peers
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (60) each
#   make soak       MINUTES=10 of load into a collector, RSS followed, valgrind
#   make install    PREFIX=/usr/local DESTDIR=
#
# A user's CFLAGS add to ours; V=1 shows the commands.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
SAN ?=

STD = -std=c11 -D_GNU_SOURCE
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
OPT ?= -O2
DEBUG = -g
ifeq ($(SAN),1)
OPT = -O1
DEBUG = -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
endif
PKGS = libzmq ncursesw jansson libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
FINAL_CFLAGS = $(STD) $(WARN) $(OPT) $(DEBUG) -Iclient -Icollector -Itui $(PKG_CFLAGS) \
    -DHM_THEME_DIR='"$(PREFIX)/share/hotmon/themes"' $(CFLAGS) -MMD -MP
FINAL_LDFLAGS = $(DEBUG) $(LDFLAGS)
FINAL_LIBS = $(PKG_LIBS) -lpthread -lm $(LIBS)

ifneq ($(V),1)
Q = @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

# The client library: everything in client/ but the programs built on it and
# their own modules (client/load_*.c, client/pipe_*.c), which go into
# archives of their own for the programs, tests, fuzzers and benchmarks.
LOAD_SRC = $(wildcard client/load_*.c)
PIPE_SRC = $(wildcard client/pipe_*.c)
CLIENT_PROGS = client/load.c client/pipe.c $(LOAD_SRC) $(PIPE_SRC)
CLIENT_SRC = $(filter-out $(CLIENT_PROGS) $(wildcard client/*_main.c),$(wildcard client/*.c))
COLLECTOR_SRC = $(filter-out collector/main.c,$(wildcard collector/*.c))
TUI_SRC = $(filter-out tui/main.c,$(wildcard tui/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
CLIENT_OBJ = $(call obj,$(CLIENT_SRC))
CLIENT_PIC = $(patsubst %.c,$(BUILD)/pic/%.o,$(CLIENT_SRC))
COLLECTOR_OBJ = $(call obj,$(COLLECTOR_SRC))
TUI_OBJ = $(call obj,$(TUI_SRC)) $(BUILD)/gen/themes.o

LIBHOTMON_A = $(BUILD)/libhotmon.a
LIBHOTMON_SO = $(BUILD)/libhotmon.so
LIBCOLLECTOR = $(BUILD)/libhmcollector.a
LIBTUI = $(BUILD)/libhmtui.a
LIBLOAD = $(BUILD)/libhmload.a
LIBPIPE = $(BUILD)/libhmpipe.a
# Order matters for static linking: users before what they use (the collector
# uses the pipe bridge for --statsd).
ALL_LIBS = $(LIBTUI) $(LIBLOAD) $(LIBCOLLECTOR) $(LIBPIPE) $(LIBHOTMON_A)

PROGS = $(if $(wildcard tui/main.c),$(BUILD)/hotmon) \
        $(if $(wildcard collector/main.c),$(BUILD)/hotmon-collector) \
        $(if $(wildcard client/load.c),$(BUILD)/hotmon-load) \
        $(if $(wildcard client/pipe.c),$(BUILD)/hotmon-pipe)

UNIT_SRC = $(wildcard tests/test_*.c)
UNIT_BIN = $(patsubst tests/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
# Helper programs the integration tests run (tests/prog_*.c).
TEST_PROG_SRC = $(wildcard tests/prog_*.c)
TEST_PROG_BIN = $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_PROG_SRC))
FUZZ_SRC = $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN = $(patsubst fuzz/%.c,$(BUILD)/fuzzers/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60
CHECK_FUZZ_SECONDS ?= 5
MINUTES ?= 10
BENCH_SRC = $(wildcard bench/bench_*.c)
BENCH_BIN = $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
# The C++ peer (prometheus-cpp), built when its library is there.
PROM_LIBS := $(shell pkg-config --libs prometheus-cpp-core 2>/dev/null)
BENCH_BIN += $(if $(PROM_LIBS),$(patsubst bench/%.cpp,$(BUILD)/bench/%,$(wildcard bench/bench_*.cpp)))

.PHONY: all deps run check check-build check-san test bench fuzz fuzz-build soak install uninstall clean format
.DEFAULT_GOAL := all
# Keep the objects of tests and benchmarks (make would delete them as
# intermediates, and print every rm).
.SECONDARY:

all: $(LIBHOTMON_A) $(LIBHOTMON_SO) $(BUILD)/libhotmon.pc $(PROGS)

deps:
	$(Q)scripts/install-deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/hotmon --demo

# `check` = dependencies, the plain build with -Werror and its tests, then the
# sanitizer build and the same tests, then each fuzz target for
# CHECK_FUZZ_SECONDS. scripts/run-tests.sh prints the closing "N passed,
# N failed" line of each run.
check: deps
	$(Q)$(MAKE) --no-print-directory check-build
	$(Q)scripts/run-tests.sh $(BUILD)
	$(Q)$(MAKE) --no-print-directory check-build BUILD=$(BUILD)/san SAN=1
	$(Q)scripts/run-tests.sh $(BUILD)/san
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

# The benchmarks are built too (not run), so that they cannot rot unseen.
check-build: all $(UNIT_BIN) $(TEST_PROG_BIN) $(BENCH_BIN)

test: check-build
	$(Q)scripts/run-tests.sh $(BUILD)

bench: deps
	$(Q)scripts/install-deps.sh g++ prometheus-cpp-dev
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BIN) OPT=-O2
	$(Q)scripts/run-bench.sh $(BUILD)

# `fuzz` = libFuzzer with ASan and UBSan (clang): each target in fuzz/ runs for
# FUZZ_SECONDS from its seed corpus in fuzz/corpus/; a crash fails the run
# and leaves its input in $(BUILD)/fuzz/crashes.
fuzz:
	$(Q)scripts/install-deps.sh clang libclang-rt-14-dev
	$(Q)$(MAKE) --no-print-directory fuzz-build BUILD=$(BUILD)/fuzz CC=clang SAN=1 \
	    CFLAGS=-fsanitize=fuzzer-no-link
	$(Q)scripts/run-fuzz.sh $(BUILD)/fuzz $(FUZZ_SECONDS)

fuzz-build: $(FUZZ_BIN)

# `soak` = MINUTES of 1,000 endpoints at 50,000 samples/s into a collector,
# RSS of each process every minute (fails above 1% growth from minute 2),
# the client's timing figures and a short valgrind run (docs/reliability.md).
soak: deps
	$(Q)$(MAKE) --no-print-directory check-build
	$(Q)scripts/run-soak.sh --minutes $(MINUTES) --build $(BUILD)

$(BUILD)/fuzzers/%: $(BUILD)/obj/fuzz/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(FINAL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(FINAL_LIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(FINAL_CFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC-PIC,$<)$(CC) $(FINAL_CFLAGS) -fPIC -fvisibility=hidden -DHM_BUILDING_SO -c $< -o $@

# The shipped themes, compiled in so that hotmon has them wherever it runs.
$(BUILD)/gen/themes.c: $(wildcard themes/*.theme) scripts/embed-themes.sh
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-themes.sh $(sort $(wildcard themes/*.theme)) > $@

$(BUILD)/gen/themes.o: $(BUILD)/gen/themes.c
	$(call say,CC,$<)$(CC) $(STD) $(OPT) $(DEBUG) $(CFLAGS) -c $< -o $@

$(LIBHOTMON_A): $(CLIENT_OBJ)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)$(AR) rcs $@ $^

$(LIBHOTMON_SO): $(CLIENT_PIC)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) -shared -Wl,-soname,libhotmon.so.0 $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(LIBCOLLECTOR): $(COLLECTOR_OBJ)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)$(AR) rcs $@ $^

$(LIBTUI): $(TUI_OBJ)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)$(AR) rcs $@ $^

$(LIBLOAD): $(call obj,$(LOAD_SRC))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)$(AR) rcs $@ $^

$(LIBPIPE): $(call obj,$(PIPE_SRC))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)$(AR) rcs $@ $^

$(BUILD)/libhotmon.pc: client/libhotmon.pc.in
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/.*HM_VERSION_STRING "\(.*\)"/\1/p' client/hotmon.h)|' $< > $@

$(BUILD)/hotmon: $(call obj,tui/main.c) $(ALL_LIBS)
	$(call say,LD,$@)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(BUILD)/hotmon-collector: $(call obj,collector/main.c) $(LIBCOLLECTOR) $(LIBPIPE) $(LIBHOTMON_A)
	$(call say,LD,$@)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(BUILD)/hotmon-load: $(call obj,client/load.c) $(LIBLOAD) $(LIBCOLLECTOR) $(LIBHOTMON_A)
	$(call say,LD,$@)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(BUILD)/hotmon-pipe: $(call obj,client/pipe.c) $(LIBPIPE) $(LIBHOTMON_A)
	$(call say,LD,$@)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS) $(CMOCKA_LIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(FINAL_LIBS)

$(BUILD)/bench/%: bench/%.cpp $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)$(CXX) -std=c++17 $(OPT) $(DEBUG) -Iclient -Icollector $(PKG_CFLAGS) $(CXXFLAGS) \
	    -o $@ $< $(ALL_LIBS) $(PROM_LIBS) $(FINAL_LIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/hotmon/themes
	$(if $(PROGS),install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin)
	install -m 644 client/hotmon.h $(DESTDIR)$(PREFIX)/include
	install -m 644 $(LIBHOTMON_A) $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(LIBHOTMON_SO) $(DESTDIR)$(PREFIX)/lib/libhotmon.so.0
	ln -sf libhotmon.so.0 $(DESTDIR)$(PREFIX)/lib/libhotmon.so
	install -m 644 $(BUILD)/libhotmon.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig
	$(if $(wildcard docs/*.1),install -m 644 $(wildcard docs/*.1) $(DESTDIR)$(PREFIX)/share/man/man1)
	$(if $(wildcard themes/*.theme),install -m 644 $(wildcard themes/*.theme) $(DESTDIR)$(PREFIX)/share/hotmon/themes)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(PROGS))) \
	    $(DESTDIR)$(PREFIX)/include/hotmon.h $(DESTDIR)$(PREFIX)/lib/libhotmon.* \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/libhotmon.pc

clean:
	rm -rf $(BUILD)

format:
	clang-format -i client/*.[ch] collector/*.[ch] tui/*.[ch] tests/*.c bench/*.c

-include $(shell find $(BUILD)/obj $(BUILD)/pic -name '*.d' 2>/dev/null)
