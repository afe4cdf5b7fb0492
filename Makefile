# Casescope: the two commands of the README, and a few helpers.
#   make run    install what is missing, build, launch the app on the embedded sample
#   make test   install what is missing, build with -Werror, run every suite, then the sanitizer pass

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
XVFB       := xvfb-run -a -s '-screen 0 1280x800x24'
DBUS       := dbus-run-session --

# Debian 12 packages: build, UI tests under Xvfb, export checks, translations (gettext; locales for the de_DE run,
# at-spi2-core for the run with accessibility on), fuzzing, benchmarks' peers.
PKGS := meson ninja-build pkg-config gcc g++ libc6-dev make \
        libglib2.0-dev libgtk-4-dev libopenblas-dev libcsv-dev libjson-glib-dev libfast-float-dev \
        xvfb xauth dbus fonts-dejavu-core \
        poppler-utils libxml2-utils desktop-file-utils appstream \
        gettext locales at-spi2-core \
        clang libclang-rt-14-dev valgrind time python3-pandas python3-numpy \
        openmpi-bin libopenmpi-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps locale build run test test-fast asan fuzz screenshots bench clean valgrind

all: build

deps:
	@missing=""; for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

# The German locale for the window-de test (and for trying the translation with `LANG=de_DE.UTF-8 make run`):
# uncommented in /etc/locale.gen and generated only when `locale -a` lacks it.
locale: deps
	@if ! locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\?8'; then \
	  echo "Generating the de_DE.UTF-8 locale"; \
	  $(SUDO) sed -i 's/^# *\(de_DE\.UTF-8 UTF-8\)/\1/' /etc/locale.gen; \
	  grep -q '^de_DE\.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' | $(SUDO) tee -a /etc/locale.gen >/dev/null; \
	  $(SUDO) locale-gen; \
	fi

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --werror

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "casescope: no display found (DISPLAY and WAYLAND_DISPLAY are unset); try the command line: $(BUILD)/app/casescope-cli --help"; \
	  exit 1; \
	fi
	GSK_RENDERER=$${GSK_RENDERER:-cairo} CASESCOPE_LOCALEDIR=$(abspath $(BUILD))/po ./$(BUILD)/app/casescope

# The whole suite (unit, render, ui, slow) under one X server, then the same suites but slow under ASan+UBSan (the
# slow suite's 10^6-case runs have run once already; under the sanitizers they would take most of CI's time).
test: build locale
	$(DBUS) $(XVFB) meson test -C $(BUILD) --print-errorlogs --num-processes 2
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory fuzz
	@python3 tests/tools/test-summary.py $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

test-fast: build locale
	$(DBUS) $(XVFB) meson test -C $(BUILD) --print-errorlogs --no-suite slow

$(ASAN_BUILD)/build.ninja: | deps
	meson setup $(ASAN_BUILD) --werror -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized

asan: deps locale $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	$(DBUS) $(XVFB) meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 4 --no-suite slow

$(FUZZ_BUILD)/build.ninja: | deps
	CC=clang CXX=clang++ meson setup $(FUZZ_BUILD) -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false

# Each libFuzzer target runs for a bounded time from its seed corpus (tests/fuzz/).
fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	meson test -C $(FUZZ_BUILD) --suite fuzz --print-errorlogs --num-processes 1

# The unit suite under valgrind memcheck (setup in meson.build, suppressions in tests/valgrind.supp).
valgrind: build
	meson test -C $(BUILD) --setup valgrind --suite unit --print-errorlogs --num-processes 2

screenshots: build
	$(DBUS) $(XVFB) ./tests/tools/screenshots.sh $(BUILD)

bench: build
	meson test -C $(BUILD) --benchmark --print-errorlogs --verbose

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
