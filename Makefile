# SPDX-License-Identifier: GPL-2.0-or-later
#
# stapc - ahead-of-time compiler for SystemTap scripts.
#
#   make            build build/stapc
#   make check      run the whole test suite (as root, for the tracing tests)
#   make fuzz       build the libFuzzer target over lexer + parser
#   make clean      remove build/
#
# Everything built goes under build/. V=1 shows the full commands.

O := build
CC ?= gcc
CLANG ?= clang

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-sign-compare -Werror=implicit-function-declaration
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -ffile-prefix-map=$(CURDIR)/=
STAPC_LIBS := -lbpf -lelf -lz -lsodium

# usym.c reads binaries' symbols for the tools and, to check scripts, for stapc.
STAPC_SRCS := $(sort $(wildcard stapc/*.c stapc/*/*.c)) runtime/user/usym.c runtime/user/sign_slot.c
STAPC_OBJS := $(STAPC_SRCS:%.c=$(O)/obj/%.o)
STAPC_HDRS := $(wildcard stapc/*.h) runtime/user/usym.h

# The same compiler under AddressSanitizer and UBSan, for the tests.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
ASAN_OBJS := $(STAPC_SRCS:%.c=$(O)/asan/obj/%.o)

.PHONY: all check clean fuzz demo test-build examples bench dist
all: $(O)/stapc $(O)/libstaprt.a

# The runtime every generated tool links (statically).
RT_SRCS := $(sort $(wildcard runtime/user/*.c))
RT_OBJS := $(RT_SRCS:%.c=$(O)/obj/%.o)
RT_HDRS := $(wildcard runtime/*.h runtime/user/*.h)

$(O)/libstaprt.a: $(RT_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/obj/runtime/user/%.o: runtime/user/%.c $(RT_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) -Iruntime/user -Iruntime -c -o $@ $<

$(O)/stapc: $(STAPC_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(STAPC_LIBS)

$(O)/obj/%.o: %.c $(STAPC_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/asan/stapc: $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $(STAPC_LIBS)

$(O)/asan/obj/%.o: %.c $(STAPC_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$< [asan])
	$(Q)$(CC) $(BASE_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

# The fuzzer links every compiler file but main.c with its own entry point.
FUZZ_SRCS := $(filter-out stapc/main.c stapc/options.c,$(STAPC_SRCS)) tests/fuzz/parse_fuzz.c
$(O)/fuzz/parse_fuzz: $(FUZZ_SRCS) $(STAPC_HDRS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(BASE_CFLAGS) -Wno-missing-prototypes -O1 -g \
		-fsanitize=fuzzer,address,undefined -Istapc -o $@ $(FUZZ_SRCS) $(STAPC_LIBS)

fuzz: $(O)/fuzz/parse_fuzz

test-build: $(O)/stapc $(O)/asan/stapc $(O)/libstaprt.a

check: test-build
	$(Q)tests/run

# Each example script becomes a tool, named by its "# tool: NAME" line.
EXAMPLES := $(sort $(wildcard examples/*.stp))
example_tool = $(O)/examples/$(shell sed -n 's/^# tool: //p' $(1))
EXAMPLE_TOOLS := $(foreach e,$(EXAMPLES),$(call example_tool,$(e)))

define example_rule
$(call example_tool,$(1)): $(1) $(O)/stapc $(O)/libstaprt.a
	@mkdir -p $$(@D)
	$$(call msg,STAPC,$$@)
	$$(Q)$(O)/stapc -o $$@ $(1)
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rule,$(e))))

examples: $(EXAMPLE_TOOLS)

# What the README's first command shows a newcomer: killwatch catching a
# SIGKILL that it sends itself.
demo: $(O)/examples/killwatch
	$(Q)dist/demo $(O)/examples/killwatch

# Benchmarks against hand-written libbpf, bpftrace, libbpf-tools, stap.
bench: all
	$(Q)$(MAKE) -C tests/bench O=$(abspath $(O))

# Release build and .deb packages.
dist: all
	$(Q)$(MAKE) -f dist/Makefile O=$(abspath $(O))

clean:
	$(call msg,CLEAN,$(O))
	$(Q)rm -rf $(O)
