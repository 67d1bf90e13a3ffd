// SPDX-License-Identifier: GPL-2.0
/*
 * demo.c - writes the demo trace: the story of the project's essay, as
 * the exits a real hvlab guest of that kind produces.
 *
 *   1. boot in real mode at 0x7c00; CPUID, RDMSR 0x10 (the TSC);
 *   2. switch to long mode: CR4.PAE, EFER.LME (WRMSR), CR3 = 0x9000 (boot
 *      page tables), CR0.PG;
 *   3. print "Hello from the hvlab guest!" on the serial port, one
 *      OUT 0x3f8 per character (one exit each), and a line on the VGA
 *      text screen;
 *   4. switch to its own page tables: MOV to CR3 <- 0x5000, the write the
 *      hypervisor intercepts; then ask the hypervisor (VMCALL nr 1) to
 *      show the walk of GVA 0x1000, which ends in host frame 0x2000;
 *   5. touch the local APIC at GPA 0xfee00300 (no memory there: an EPT
 *      violation, emulated as MMIO), count to 200 on the serial port for
 *      a burst of exits, and HLT.
 *
 * Time stamps are set explicitly, so the file is byte-for-byte the same
 * every time: tests/native/dash_replay.sh checks the committed fixture
 * against a fresh one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dash/demo.h"
#include "dash/trace.h"

struct demo {
	struct trace_writer *w;
	uint64_t t;		/* ns since start */
	uint64_t tsc;
	struct hvlab_regs regs;
	struct hvlab_sregs sregs;
	int uart, vga, lapic, debugexit;
};

static void tick(struct demo *d, uint64_t ns)
{
	d->t += ns;
	d->tsc += ns * 3;	/* a 3 GHz guest TSC */
	trace_set_time(d->w, d->t);
}

static void vmexit(struct demo *d, unsigned reason, uint64_t qual, uint32_t info,
		   uint64_t value, uint64_t gpa, unsigned len)
{
	struct hvlab_exit_record e = {
		.tsc = d->tsc, .rip = d->regs.rip, .qualification = qual,
		.gpa = gpa, .value = value, .reason = reason, .info = info,
		.cycles = 900 + (reason * 37) % 400,
	};

	tick(d, 2000);
	trace_write_exit(d->w, 0, &e);
	d->regs.rip += len;
}

static void snapshot(struct demo *d)
{
	trace_write_regs(d->w, 0, &d->regs, &d->sregs);
}

/* OUT to a port, size 1: exit (SDM Table 27-5 qualification) + bus access. */
static void out8(struct demo *d, uint16_t port, uint8_t v, int dev)
{
	struct trace_io io = { .addr = port, .value = v, .size = 1,
			       .flags = TRACE_IO_WRITE, .dev = dev };

	d->regs.rax = v;
	vmexit(d, HVLAB_VMX_EXIT_IO, (uint64_t)port << 16, port | 1u << 16, v, 0, 1);
	trace_write_io(d->w, &io);
}

static void serial(struct demo *d, const char *s)
{
	for (; *s; s++) {
		out8(d, 0x3f8, *s, d->uart);
		trace_write_console(d->w, TRACE_CONSOLE_SERIAL, s, 1);
	}
}

static void cr_write(struct demo *d, unsigned cr, uint64_t v)
{
	/* Qualification: CR number, access type 0 (MOV to CR), GPR rax. */
	d->regs.rax = v;
	vmexit(d, HVLAB_VMX_EXIT_CR_ACCESS, cr, 0, v, 0, 3);
	if (cr == 0)
		d->sregs.cr0 = v;
	else if (cr == 3)
		d->sregs.cr3 = v;
	else if (cr == 4)
		d->sregs.cr4 = v;
}

static void step(struct hvlab_walk_step *s, unsigned level, uint64_t table, uint64_t entry)
{
	s->level = level;
	s->table = table;
	s->entry = entry;
}

/*
 * A 4-level guest walk with tables at `pml4`, pml4 + 0x1000, ... and the
 * EPT walk of the GPA; the EPT tables live at host 0x1f000-0x1c000.
 */
static void walk(struct demo *d, uint64_t gva, uint64_t pml4, uint64_t gpa, uint64_t hpa)
{
	struct hvlab_translation t = {
		.gva = gva, .gpa = gpa | (gva & 0xfff), .hpa = hpa | (gva & 0xfff),
		.paging_mode = 4, .guest_steps = 4, .second_steps = 4,
	};

	step(&t.guest[0], 4, pml4, (pml4 + 0x1000) | 0x23);
	step(&t.guest[1], 3, pml4 + 0x1000, (pml4 + 0x2000) | 0x23);
	step(&t.guest[2], 2, pml4 + 0x2000, (pml4 + 0x3000) | 0x23);
	step(&t.guest[3], 1, pml4 + 0x3000, gpa | 0x63);
	/* EPT entries: R W X, leaf memory type WB (6 << 3). */
	step(&t.second[0], 4, 0x1f000, 0x1e000 | 0x7);
	step(&t.second[1], 3, 0x1e000, 0x1d000 | 0x7);
	step(&t.second[2], 2, 0x1d000, 0x1c000 | 0x7);
	step(&t.second[3], 1, 0x1c000, hpa | 0x37);
	trace_write_walk(d->w, 0, &t);
}

static void walk_fault(struct demo *d, uint64_t gva, uint64_t pml4)
{
	struct hvlab_translation t = {
		.gva = gva, .paging_mode = 4, .guest_steps = 2,
		.fault = HVLAB_WALK_GUEST_FAULT, .fault_level = 3,
	};

	step(&t.guest[0], 4, pml4, (pml4 + 0x1000) | 0x23);
	step(&t.guest[1], 3, pml4 + 0x1000, 0);
	trace_write_walk(d->w, 0, &t);
}

static void vga_text(struct demo *d, int row, int col, uint8_t attr, const char *s)
{
	uint8_t cells[TRACE_VGA_COLS * 2];
	size_t n = strlen(s);

	if (n > (size_t)(TRACE_VGA_COLS - col))
		n = TRACE_VGA_COLS - col;
	for (size_t i = 0; i < n; i++) {
		cells[2 * i] = s[i];
		cells[2 * i + 1] = attr;
	}
	tick(d, 500);
	trace_write_vga(d->w, (row * TRACE_VGA_COLS + col) * 2, cells, 2 * n);
}

static void seg(struct hvlab_segment *s, uint16_t sel, uint8_t type, bool code64)
{
	*s = (struct hvlab_segment){ .base = 0, .limit = 0xffffffff, .selector = sel,
				     .type = type, .present = 1, .s = 1, .g = 1,
				     .l = code64, .db = !code64 };
}

static void boot_state(struct demo *d)
{
	struct hvlab_segment *all[6] = { &d->sregs.cs, &d->sregs.ds, &d->sregs.es,
					 &d->sregs.fs, &d->sregs.gs, &d->sregs.ss };

	memset(&d->regs, 0, sizeof(d->regs));
	memset(&d->sregs, 0, sizeof(d->sregs));
	d->regs.rip = 0x7c00;
	d->regs.rflags = 0x2;
	d->regs.rsp = 0x7000;
	for (int i = 0; i < 6; i++)
		*all[i] = (struct hvlab_segment){ .limit = 0xffff, .type = i ? 3 : 11,
						  .present = 1, .s = 1 };
	d->sregs.tr = (struct hvlab_segment){ .limit = 0xffff, .type = 11, .present = 1 };
	d->sregs.ldt = (struct hvlab_segment){ .limit = 0xffff, .type = 2, .present = 1 };
	d->sregs.cr0 = 0x10;	/* ET: what a CPU comes out of reset with (+PE/PG off) */
	d->sregs.idt.limit = 0x3ff;
	d->sregs.apic_base = 0xfee00900;
}

int demo_write_trace(const char *path)
{
	struct trace_config cfg = {
		.mem_size = 16 << 20, .nr_vcpus = 1, .vm_flags = HVLAB_VM_TRAP_CR3,
		.tsc_hz = 3000000000ull, .start_unix_ns = 0,
	};
	struct demo d = { 0 };
	char line[16];

	snprintf(cfg.image, sizeof(cfg.image), "tests/guests/demo.elf");
	d.w = trace_create(path, &cfg);
	if (!d.w)
		return -errno;
	trace_set_time(d.w, 0);
	d.uart = trace_device_id(d.w, "uart0");
	d.vga = trace_device_id(d.w, "vga");
	d.lapic = trace_device_id(d.w, "lapic");
	d.debugexit = trace_device_id(d.w, "debugexit");

	/* 1. reset state, real mode */
	trace_write_marker(d.w, "boot: real mode at 0x7c00");
	boot_state(&d);
	snapshot(&d);
	vmexit(&d, HVLAB_VMX_EXIT_CPUID, 0, 0x0, 0, 0, 2);
	vmexit(&d, HVLAB_VMX_EXIT_CPUID, 0, 0x1, 0, 0, 2);
	vmexit(&d, HVLAB_VMX_EXIT_RDMSR, 0, 0x10, d.tsc, 0, 2);
	snapshot(&d);

	/* 2. into long mode (SDM Vol. 3 10.8.5: PAE, LME, CR3, then PG) */
	tick(&d, 100000);
	trace_write_marker(d.w, "switching to long mode");
	d.sregs.cr0 |= 1;	/* PE, set without an exit: CR0 is not trapped for it */
	cr_write(&d, 4, 0x20);
	vmexit(&d, HVLAB_VMX_EXIT_WRMSR, 0, 0xc0000080, 0x100, 0, 2);
	d.sregs.efer = 0x100;
	cr_write(&d, 3, 0x9000);
	cr_write(&d, 0, 0x80000011);
	d.sregs.efer |= 0x400;	/* LMA: the CPU sets it when paging turns on */
	seg(&d.sregs.cs, 0x08, 11, true);
	seg(&d.sregs.ds, 0x10, 3, false);
	seg(&d.sregs.es, 0x10, 3, false);
	seg(&d.sregs.ss, 0x10, 3, false);
	d.sregs.gdt = (struct hvlab_dtable){ .base = 0x8000, .limit = 0x17 };
	d.regs.rip = 0x100000;
	d.regs.rsp = 0x200000;
	snapshot(&d);
	walk(&d, 0x1000, 0x9000, 0x1000, 0x2000);

	/* 3. hello on serial and VGA */
	tick(&d, 200000);
	trace_write_marker(d.w, "hello on the serial port and VGA");
	serial(&d, "Hello from the hvlab guest!\n");
	vga_text(&d, 0, 0, 0x1f, "hvlab demo guest                                                                ");
	vga_text(&d, 2, 2, 0x07, "VGA text mode: 80x25 cells of (character, attribute) at 0xB8000");
	vga_text(&d, 3, 2, 0x0a, "green on black");
	vga_text(&d, 3, 20, 0x4e, "yellow on red");
	vga_text(&d, 5, 2, 0x07, "CR3 = 0x5000 next: the hypervisor intercepts the write");
	snapshot(&d);

	/* 4. the page-table switch the essay talks about */
	tick(&d, 300000);
	trace_write_marker(d.w, "page-table switch: CR3 = 0x5000");
	cr_write(&d, 3, 0x5000);
	snapshot(&d);
	d.regs.rbx = 0x1000;
	vmexit(&d, HVLAB_VMX_EXIT_VMCALL, 0, 0, HVLAB_HC_WALK, 0, 3);
	walk(&d, 0x1000, 0x5000, 0x1000, 0x2000);
	walk(&d, 0x400000, 0x5000, 0x3000, 0x7000);
	walk_fault(&d, 0xdead000, 0x5000);
	serial(&d, "walk of 0x1000 done\n");

	/* 5. the local APIC: no memory at 0xfee00000, so EPT violation -> MMIO */
	tick(&d, 250000000);
	trace_write_marker(d.w, "local APIC write (MMIO)");
	vmexit(&d, HVLAB_VMX_EXIT_EPT_VIOLATION, 0x182, 0, 0, 0xfee00300, 6);
	{
		struct trace_io io = { .addr = 0xfee00300, .value = 0xc4500, .size = 4,
				       .flags = TRACE_IO_WRITE | TRACE_IO_MMIO, .dev = d.lapic };

		trace_write_io(d.w, &io);
	}
	{
		/* an access nobody claims: reads give all-ones */
		struct trace_io io = { .addr = 0x61, .value = 0xff, .size = 1 };

		vmexit(&d, HVLAB_VMX_EXIT_IO, (0x61ull << 16) | 8, 0x61 | 1u << 16 | 1u << 24,
		       0xff, 0, 1);
		io.flags = TRACE_IO_UNCLAIMED;
		io.dev = TRACE_NO_DEVICE;
		trace_write_io(d.w, &io);
	}
	tick(&d, 700000000);
	trace_write_marker(d.w, "counting: a burst of serial exits");
	for (int i = 1; i <= 200; i++) {
		snprintf(line, sizeof(line), "%d%c", i, i % 20 ? ' ' : '\n');
		serial(&d, line);
		tick(&d, 5000000);
		if (i % 50 == 0)
			snapshot(&d);
	}
	vga_text(&d, 7, 2, 0x0f, "counted to 200; halting");
	out8(&d, 0xf4, 0x00, d.debugexit);
	vmexit(&d, HVLAB_VMX_EXIT_HLT, 0, 0, 0, 0, 1);
	snapshot(&d);
	trace_write_marker(d.w, "guest halted");
	return trace_close(d.w);
}
