#!/usr/bin/env bash
# dash_live.sh - the live dashboard API (user/dash/dash.h) without VT-x.
#
# A small program built here from libhvlab plays the part of `hvlab run`:
# a "vCPU thread" fills a struct hvlab_stats exactly as the module does
# (ring entry, then head; counters by reason) and reports port I/O,
# console bytes, registers and one walk through the dash_on_* calls, while
# the main thread loops on dash_poll().  It runs in tmux; keys are sent and
# the screen is checked: counts move while running, stop on pause, move by
# exactly one per single step (and the status says HVLAB_SET_DEBUG is
# unavailable, as there is no vCPU fd), the console and VGA panels show the
# guest's output, and the walk falls back to the recorded one.  With a
# trace file it also records (--dashboard --record share one ring reader),
# and the trace must then replay natively.  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
export LANG=C.UTF-8 LC_ALL=C.UTF-8

SOCK=hvlab-dash-live-$$
tmp=$(mktemp -d)
n=0 failed=0
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() { tm kill-server >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/screen" 2>/dev/null | tail -30; }

if ! command -v tmux >/dev/null || [ ! -f build/libhvlab.a ] || [ ! -x user/hvlab ]; then
	echo "1..1"
	echo "not ok 1 - live dashboard: tmux, build/libhvlab.a or user/hvlab missing (make deps; make user)"
	exit 1
fi

cat >"$tmp/fakerun.c" <<'EOF'
/* A stand-in for hvlab run: one fake vCPU feeding the live dashboard. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dash/dash.h"

static struct hvlab_stats stats;
static struct hv_device uart = { .name = "uart0" };
static uint8_t vga[TRACE_VGA_BYTES];
static volatile sig_atomic_t terminated;
static uint64_t serial_irqs;	/* one COM1 interrupt per byte, as a UART would raise */

static void fake_irq(void *ctx, struct trace_irq *out)
{
	uint64_t n = __atomic_load_n(&serial_irqs, __ATOMIC_RELAXED);

	(void)ctx;
	out->raised[4] = n;
	out->injected[0x24] = n;
	out->vcpu_injected[0] = n;
}

static void on_term(int sig)
{
	(void)sig;
	terminated = 1;
}

static void exit_record(unsigned reason, uint64_t qual, uint32_t info, uint64_t value, uint64_t rip)
{
	struct hvlab_exit_record e = { .reason = reason, .qualification = qual, .info = info,
				       .value = value, .rip = rip };

	stats.ring[stats.head % HVLAB_EXIT_RING_SIZE] = e;
	__atomic_store_n(&stats.head, stats.head + 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&stats.by_reason[reason], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stats.exits, 1, __ATOMIC_RELAXED);
}

static void *vcpu(void *arg)
{
	static const char msg[] = "hello from a fake vCPU\n";
	struct dash *d = arg;
	struct hvlab_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct hvlab_sregs sregs = { .cr0 = 0x80000011, .cr3 = 0x5000, .cr4 = 0x20,
				     .efer = 0x500 };
	uint64_t i = 0, out = 0;

	sregs.cs.l = 1;
	for (;;) {
		int g = dash_gate(d, 0);
		char ch = msg[out % (sizeof(msg) - 1)];

		if (g < 0)
			break;
		if (i % 10 == 9) {
			exit_record(HVLAB_VMX_EXIT_CPUID, 0, 1, 0, regs.rip);
		} else {
			struct bus_access a = { .dev = &uart, .addr = 0x3f8, .value = (uint8_t)ch,
						.size = 1, .is_write = true };

			exit_record(HVLAB_VMX_EXIT_IO, 0x3f8ull << 16, 0, (uint8_t)ch, regs.rip);
			out++;
			dash_on_io(d, &a);
			dash_on_console(d, &ch, 1);
			__atomic_fetch_add(&serial_irqs, 1, __ATOMIC_RELAXED);
		}
		regs.rip += 2;
		if (dash_want_regs(d, 0))
			dash_on_regs(d, 0, &regs, &sregs);
		i++;
		usleep(g == 1 ? 0 : 4000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct trace_config tc = { .nr_vcpus = 1, .mem_size = 1 << 20, .image = "fake" };
	struct trace_writer *w = argc > 1 && argv[1][0] ? trace_create(argv[1], &tc) : NULL;
	struct dash_config cfg = { .image = "fake-guest.elf", .nr_vcpus = 1, .mem_size = 1 << 20,
				   .vcpu_fd = { -1 }, .stats = { &stats }, .vga_mem = vga,
				   .record = w };
	struct hvlab_translation t = { .gva = 0x1000, .gpa = 0x1000, .hpa = 0x2000,
				       .paging_mode = 4, .guest_steps = 1, .second_steps = 1,
				       .guest = { { .level = 1, .table = 0x8000, .entry = 0x1003 } },
				       .second = { { .level = 1, .table = 0x9000, .entry = 0x2037 } } };
	const char *text = "LIVE VGA TEXT";
	pthread_t th;
	char err[256];
	struct dash *d;

	for (size_t k = 0; k < strlen(text); k++) {
		vga[2 * k] = text[k];
		vga[2 * k + 1] = 0x1e;
	}
	d = dash_open(&cfg, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "dash_open: %s\n", err);
		return 1;
	}
	dash_on_walk(d, 0, &t);
	dash_set_irq_source(d, fake_irq, NULL);
	signal(SIGTERM, on_term);
	if (argc > 2) {
		FILE *f = fopen(argv[2], "w");

		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	pthread_create(&th, NULL, vcpu, d);
	while (dash_poll(d, 50) == DASH_RUN)
		if (terminated) {
			dash_stop(d);	/* as hvlab run does on Ctrl-C / SIGTERM */
			break;
		}
	pthread_join(th, NULL);
	dash_poll(d, 0);
	dash_close(d);
	if (w && trace_close(w))
		return 1;
	printf("fake run: %llu exits\n", (unsigned long long)stats.exits);
	return 0;
}
EOF
if ! cc -std=c11 -D_GNU_SOURCE -Wall -Werror -Iinclude -Iuser -o "$tmp/fakerun" "$tmp/fakerun.c" \
	build/libhvlab.a -lelf -lncursesw -lpthread 2>"$tmp/screen"; then
	echo "1..1"; not_ok "build the fake run loop against libhvlab"; exit 1
fi

snap() { tm capture-pane -p -t 0 >"$tmp/screen" 2>/dev/null; }
wait_for() {
	for _ in $(seq 50); do
		snap
		grep -qF -- "$1" "$tmp/screen" && return 0
		sleep 0.1
	done
	return 1
}
keys() { tm send-keys -t 0 "$@"; }
check() {	# NAME TEXT...
	local name=$1 t all=1; shift
	wait_for "$1"
	for t in "$@"; do grep -qF -- "$t" "$tmp/screen" || { all=0; echo "# missing: $t"; }; done
	if [ $all = 1 ]; then ok "$name"; else not_ok "$name"; fi
}
total() { snap; sed -n 's/.*Exits by reason   total \([0-9]*\).*/\1/p' "$tmp/screen" | head -1; }

tm new-session -d -x 100 -y 30 \
	"cd '$PWD' && TERM=screen-256color '$tmp/fakerun' '$tmp/live.trace' '$tmp/pid'; echo EXIT=\$?; sleep 60"
check "live dashboard opens on the exit counters" "IO_INSTRUCTION" "hvlab live" "Exits by reason" "RUNNING"
a=$(total); sleep 0.6; b=$(total)
if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]; then ok "exit counts move while the guest runs ($a -> $b)"
else not_ok "exit counts move while the guest runs ($a -> $b)"; fi

keys p
wait_for "PAUSED"; sleep 0.4
a=$(total); sleep 0.6; b=$(total)
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "pause stops the vCPU ($a exits, stays)"
else not_ok "pause stops the vCPU ($a -> $b)"; fi

keys s
wait_for "single-step unavailable"; sleep 0.3
c=$(total)
if [ -n "$c" ] && [ "$c" = $((b + 1)) ] && grep -q "HVLAB_SET_DEBUG failed" "$tmp/screen"; then
	ok "a step runs exactly one exit and reports that MTF is unavailable"
else not_ok "single step ($b -> $c)"; fi

keys 2
check "exit log decodes live exits" "Exit log" "OUT 0x3f8 ← '" "CPUID leaf 0x1" "qualif."
keys 3
check "vCPU panel shows the snapshots" "vCPU state" "long mode (64-bit)" "CR3  0000000000005000"
keys 5
check "device I/O counts the observed bus accesses" "Device I/O" " uart0 "
keys 7
check "interrupts panel shows the source's counts" "Interrupts   injected" " IRQ 4   COM1" " 0x24" \
	" vCPU 0  injected"
keys 6
check "serial console" "hello from a fake vCPU"
keys v
check "VGA text from guest memory" "LIVE VGA TEXT"
keys w; keys -l 1000; keys Enter
check "walk falls back to the guest's VMCALL walk when HVLAB_TRANSLATE fails" \
	"HVLAB_TRANSLATE failed" "Result: GVA 0x1000 -> GPA 0x1000 -> HPA 0x2000"
keys p
check "resume" "RUNNING"
keys q
check "quit returns from dash_poll and the run loop ends" "EXIT=0"

# a paused guest must not keep the run loop from stopping
tm kill-server >/dev/null 2>&1
SOCK=$SOCK-2
tm new-session -d -x 80 -y 24 \
	"cd '$PWD' && TERM=screen-256color '$tmp/fakerun' '' '$tmp/pid2'; echo EXIT=\$?; sleep 60"
wait_for "RUNNING"; keys p; wait_for "PAUSED"
kill -TERM "$(cat "$tmp/pid2" 2>/dev/null)" 2>/dev/null
check "SIGTERM while paused: dash_stop releases the vCPU, the program ends" "EXIT=0"

if user/hvlab replay --info "$tmp/live.trace" >"$tmp/screen" 2>&1 &&
	grep -q "status      complete" "$tmp/screen" && grep -q "IO_INSTRUCTION" "$tmp/screen" &&
	grep -q "walk      1" "$tmp/screen" && grep -q "irq       " "$tmp/screen"; then
	ok "the recording made with the dashboard is a complete trace"
else not_ok "the recording made with the dashboard is a complete trace"; fi
if user/hvlab replay --dump -p log -p console "$tmp/live.trace" >"$tmp/screen" 2>&1 &&
	grep -qF "OUT 0x3f8 ← '" "$tmp/screen" && grep -qF "hello from a fake vCPU" "$tmp/screen"; then
	ok "and it replays natively"
else not_ok "and it replays natively"; fi
if user/hvlab replay --dump -p irq "$tmp/live.trace" >"$tmp/screen" 2>&1 &&
	grep -qF " IRQ 4   COM1" "$tmp/screen" && grep -qF " 0x24" "$tmp/screen"; then
	ok "its interrupt snapshots replay in the interrupts panel"
else not_ok "its interrupt snapshots replay in the interrupts panel"; fi

echo "1..$n"
exit $failed
