// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu_loop.c - what userspace does with each exit HVLAB_RUN returns: the
 * switch on run->exit_reason at the heart of every KVM-style VMM.
 *
 *   IO         hand each element (REP: run->io.count of them, data at
 *              run + data_offset) to the port bus
 *   MMIO       hand it to the MMIO bus; a read fills run->mmio.data, which
 *              the module copies into the guest on the next HVLAB_RUN
 *   HLT        with interrupts enabled: sleep until one comes (vcpu_irq.c);
 *              with them masked nothing can wake the vCPU: park it; when
 *              every vCPU is parked the run ends, status 0
 *   SHUTDOWN   triple fault: status 3
 *   HYPERCALL  hypercall.c
 *   FAIL_ENTRY, INTERNAL_ERROR, unknown: explained, status 4
 *   INTR       a signal: go round, the thread loop checks the stop flag
 *   DEBUG      single step done: go round
 *   CR3        --trap-cr3: log the write, go round
 *
 * An access no device claims is logged once per port / MMIO address and
 * reads as all-ones; with --strict it ends the run, status 5.  The run
 * page is shared with the module, but only this vCPU's thread reads it
 * between two HVLAB_RUNs, so nothing here needs a lock except the
 * "already logged" sets, which every vCPU shares.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "exit_names.h"
#include "hw/ata.h"
#include "hw/irq.h"
#include "vm.h"

/*
 * A port already logged as unclaimed: nothing more to do, and a guest
 * polling a port no device claims (bench.elf's OUT) should pay neither
 * the VM's lock nor the call below on every access.  The bit is only ever
 * set, so a stale 0 merely takes the locked path of unclaimed().
 */
static inline bool port_logged(const struct vm *vm, uint16_t port)
{
	return !vm->opt.strict &&
	       (__atomic_load_n(&vm->port_seen[port >> 3], __ATOMIC_RELAXED) & (1u << (port & 7)));
}

/* Logs an unclaimed access once; returns true when --strict stops the run. */
static bool unclaimed(struct vcpu *v, bool mmio, uint64_t addr, bool write, unsigned size,
		      uint64_t value)
{
	struct vm *vm = v->vm;
	bool first = true;
	char why[160];

	pthread_mutex_lock(&vm->lock);
	if (!mmio) {
		first = !(vm->port_seen[addr >> 3] & (1u << (addr & 7)));
		__atomic_fetch_or(&vm->port_seen[addr >> 3], (uint8_t)(1u << (addr & 7)),
				  __ATOMIC_RELAXED);
	} else {
		for (unsigned i = 0; i < vm->nmmio_seen; i++)
			if (vm->mmio_seen[i] == addr)
				first = false;
		if (first && vm->nmmio_seen < sizeof(vm->mmio_seen) / sizeof(vm->mmio_seen[0]))
			vm->mmio_seen[vm->nmmio_seen++] = addr;
		else if (first)
			first = false;	/* table full: stay quiet rather than flood */
	}
	pthread_mutex_unlock(&vm->lock);
	/* said once already: formatting the message would cost more than the exit */
	if (!first && !vm->opt.strict)
		return false;

	if (write)
		snprintf(why, sizeof(why),
			 "write of 0x%" PRIx64 " to unclaimed %s 0x%" PRIx64 " (%u bytes) at RIP 0x%llx on vCPU %d",
			 value, mmio ? "MMIO address" : "port", addr, size,
			 (unsigned long long)v->run->guest_rip, v->id);
	else
		snprintf(why, sizeof(why),
			 "read from unclaimed %s 0x%" PRIx64 " (%u bytes, reads all-ones) at RIP 0x%llx on vCPU %d",
			 mmio ? "MMIO address" : "port", addr, size,
			 (unsigned long long)v->run->guest_rip, v->id);
	if (vm->opt.strict) {
		char msg[200];

		snprintf(msg, sizeof(msg), "--strict: %s", why);
		vm_request_stop(vm, VM_EXIT_STRICT, false, msg);
		return true;
	}
	if (first)
		vm_log(vm, "hvlab: %s%s\n", why, write ? " (ignored; logged once)" : " (logged once)");
	return false;
}

static enum vcpu_action handle_io(struct vcpu *v)
{
	struct hvlab_run *run = v->run;
	unsigned size = run->io.size, count = run->io.count ? run->io.count : 1;
	bool out = run->io.direction == HVLAB_IO_OUT;
	uint64_t off = run->io.data_offset;
	size_t limit = v->mmap_size < HVLAB_STATS_OFFSET ? v->mmap_size : HVLAB_STATS_OFFSET;

	if ((size != 1 && size != 2 && size != 4) || off > limit ||
	    (uint64_t)count * size > limit - off) {
		char why[160];

		snprintf(why, sizeof(why),
			 "internal error: I/O exit with size %u, count %u, data offset %" PRIu64 " outside the run page",
			 size, count, off);
		vm_request_stop(v->vm, VM_EXIT_VMX_ERROR, false, why);
		return VCPU_STOP;
	}
	for (unsigned i = 0; i < count; i++) {
		uint8_t *data = (uint8_t *)run + off + (size_t)i * size;

		if (!bus_pio(v->vm->bus, run->io.port, out, data, size) &&
		    !port_logged(v->vm, run->io.port)) {
			uint32_t val = 0;

			memcpy(&val, data, size);
			if (unclaimed(v, false, run->io.port, out, size, val))
				return VCPU_STOP;
		}
	}
	return VCPU_CONTINUE;
}

static enum vcpu_action handle_mmio(struct vcpu *v)
{
	struct hvlab_run *run = v->run;
	unsigned len = run->mmio.len;

	if (len == 0 || len > sizeof(run->mmio.data)) {
		char why[128];

		snprintf(why, sizeof(why), "internal error: MMIO exit with length %u", len);
		vm_request_stop(v->vm, VM_EXIT_VMX_ERROR, false, why);
		return VCPU_STOP;
	}
	if (!bus_mmio(v->vm->bus, run->mmio.phys_addr, run->mmio.is_write, run->mmio.data, len)) {
		uint64_t val = 0;

		memcpy(&val, run->mmio.data, len);
		if (unclaimed(v, true, run->mmio.phys_addr, run->mmio.is_write, len, val))
			return VCPU_STOP;
	}
	return VCPU_CONTINUE;
}

static enum vcpu_action handle_hlt(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool all;

	if (v->run->if_flag && vm->irq)
		return VCPU_WAIT_IRQ;	/* an interrupt can end it: vcpu_irq.c */

	pthread_mutex_lock(&vm->lock);
	all = ++vm->halted >= vm->ncpus;
	pthread_mutex_unlock(&vm->lock);
	if (vm->opt.verbose || !all)
		vm_log(vm, "hvlab: vCPU %d halted at RIP 0x%llx with interrupts %s: nothing can wake it\n",
			v->id, (unsigned long long)v->run->guest_rip,
			v->run->if_flag ? "enabled" : "disabled");
	if (all) {
		char why[128];

		snprintf(why, sizeof(why), "guest halted at RIP 0x%llx (every vCPU is in HLT, nothing can wake them)",
			 (unsigned long long)v->run->guest_rip);
		vm_request_stop(vm, VM_EXIT_OK, false, why);
	}
	return VCPU_HALTED;
}

void vcpu_dump_regs(struct vcpu *v)
{
	struct hvlab_regs r;
	struct hvlab_sregs s;

	if (v->fd < 0 || ioctl(v->fd, HVLAB_GET_REGS, &r) < 0 || ioctl(v->fd, HVLAB_GET_SREGS, &s) < 0)
		return;
	vm_log(v->vm,
		"  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		"  rsi %016llx rdi %016llx rsp %016llx rbp %016llx\n"
		"  rip %016llx rflags %08llx cs %04x ss %04x\n"
		"  cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx efer %llx\n",
		r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, r.rip, r.rflags,
		s.cs.selector, s.ss.selector, s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
}

static enum vcpu_action handle_fail_entry(struct vcpu *v)
{
	const struct hvlab_run *run = v->run;
	uint64_t hw = run->fail_entry.hardware_entry_failure_reason;
	char check[sizeof(run->fail_entry.check) + 1];
	char why[512];

	memcpy(check, run->fail_entry.check, sizeof(run->fail_entry.check));
	check[sizeof(check) - 1] = '\0';
	snprintf(why, sizeof(why),
		 "VM entry failed on vCPU %d: %s\n"
		 "  VM-instruction error %u (%s); exit reason 0x%llx (%s), qualification 0x%llx",
		 v->id, check[0] ? check : "(the module named no check)",
		 run->fail_entry.vm_instruction_error,
		 vm_instruction_error_name(run->fail_entry.vm_instruction_error),
		 (unsigned long long)hw, vmx_exit_name((uint32_t)(hw & 0xFFFF)),
		 (unsigned long long)run->fail_entry.qualification);
	vm_request_stop(v->vm, VM_EXIT_VMX_ERROR, false, why);
	if (v->vm->opt.verbose)
		vcpu_dump_regs(v);
	return VCPU_STOP;
}

/*
 * --trap-exceptions: one line per guest exception, the first
 * EXCEPTIONS_SHOWN of each vCPU (a guest caught in a loop of faults would
 * otherwise flood the terminal; the first ones are those that explain it).
 */
#define EXCEPTIONS_SHOWN 100

static void log_exception(struct vcpu *v)
{
	const struct hvlab_run *run = v->run;
	char code[24] = "", addr[32] = "", as[16] = "";

	if (++v->exceptions > EXCEPTIONS_SHOWN) {
		if (v->exceptions == EXCEPTIONS_SHOWN + 1)
			vm_log(v->vm, "hvlab: vCPU %d: more exceptions: counted, not shown\n", v->id);
		return;
	}
	if (run->exception.has_error_code)
		snprintf(code, sizeof(code), "(0x%x)", run->exception.error_code);
	if (run->exception.vector == 14)
		snprintf(addr, sizeof(addr), " address 0x%llx",
			 (unsigned long long)run->exception.address);
	if (run->exception.delivered != run->exception.vector)
		snprintf(as, sizeof(as), " -> #%s", exception_mnemonic(run->exception.delivered));
	vm_log(v->vm, "hvlab: vCPU %d: exception #%s%s at RIP 0x%llx%s%s\n", v->id,
	       exception_mnemonic(run->exception.vector), code,
	       (unsigned long long)run->guest_rip, addr, as);
}

static enum vcpu_action handle_internal(struct vcpu *v)
{
	const struct hvlab_run *run = v->run;
	uint32_t sub = run->internal.suberror, n = run->internal.ndata;
	char why[512];
	int len;

	len = snprintf(why, sizeof(why), "internal error in the module on vCPU %d at RIP 0x%llx: %s",
		       v->id, (unsigned long long)run->guest_rip, internal_suberror_name(sub));
	if (sub == HVLAB_INTERNAL_UNEXPECTED_EXIT && n >= 1)
		len += snprintf(why + len, sizeof(why) - (size_t)len, " (basic exit reason %llu, %s)",
				(unsigned long long)run->internal.data[0],
				vmx_exit_name((uint32_t)run->internal.data[0]));
	else if (sub == HVLAB_INTERNAL_VMX_INSTRUCTION && n >= 1)
		len += snprintf(why + len, sizeof(why) - (size_t)len,
				" (VM-instruction error %llu: %s)",
				(unsigned long long)run->internal.data[0],
				vm_instruction_error_name((uint32_t)run->internal.data[0]));
	if (sub == HVLAB_INTERNAL_MMIO_DECODE && n >= 4) {
		/* the bytes of the instruction, as a disassembler shows them */
		len += snprintf(why + len, sizeof(why) - (size_t)len, " (GPA 0x%llx, bytes",
				(unsigned long long)run->internal.data[0]);
		for (uint64_t i = 0; i < run->internal.data[3] && i < 15; i++)
			len += snprintf(why + len, sizeof(why) - (size_t)len, " %02x",
					(unsigned)(run->internal.data[1 + i / 8] >> (8 * (i % 8))) &
					0xff);
		len += snprintf(why + len, sizeof(why) - (size_t)len, ")");
		n = 0;
	}
	for (uint32_t i = 0; i < n && i < 8 && len < (int)sizeof(why) - 24; i++)
		len += snprintf(why + len, sizeof(why) - (size_t)len, "%s0x%llx",
				i ? " " : "; data ", (unsigned long long)run->internal.data[i]);
	vm_request_stop(v->vm, VM_EXIT_VMX_ERROR, false, why);
	return VCPU_STOP;
}

enum vcpu_action vcpu_handle_exit(struct vcpu *v)
{
	struct hvlab_run *run = v->run;
	char why[160];

	switch (run->exit_reason) {
	case HVLAB_EXIT_IO:
		return handle_io(v);
	case HVLAB_EXIT_MMIO:
		return handle_mmio(v);
	case HVLAB_EXIT_HLT:
		return handle_hlt(v);
	case HVLAB_EXIT_SHUTDOWN:
		snprintf(why, sizeof(why), "guest triple-faulted at RIP 0x%llx on vCPU %d (shutdown)",
			 (unsigned long long)run->guest_rip, v->id);
		vm_request_stop(v->vm, VM_EXIT_TRIPLE_FAULT, false, why);
		if (v->vm->opt.verbose)
			vcpu_dump_regs(v);
		return VCPU_STOP;
	case HVLAB_EXIT_HYPERCALL:
		vcpu_hypercall(v);
		return VCPU_CONTINUE;
	case HVLAB_EXIT_FAIL_ENTRY:
		return handle_fail_entry(v);
	case HVLAB_EXIT_INTERNAL_ERROR:
		return handle_internal(v);
	case HVLAB_EXIT_INTR:
	case HVLAB_EXIT_DEBUG:
	case HVLAB_EXIT_IRQ_WINDOW_OPEN:	/* vcpu_prepare_run injects */
		return VCPU_CONTINUE;
	case HVLAB_EXIT_RING_FULL:	/* lossless watching: read the ring */
		vm_drain_ring(v->vm, (unsigned)v->id);
		return VCPU_CONTINUE;
	case HVLAB_EXIT_EXCEPTION:	/* --trap-exceptions: already queued */
		log_exception(v);
		return VCPU_CONTINUE;
	case HVLAB_EXIT_CR3:
		vm_log(v->vm, "hvlab: vCPU %d: MOV to CR3 0x%llx (was 0x%llx) at RIP 0x%llx\n",
			v->id, (unsigned long long)run->cr3.new_cr3,
			(unsigned long long)run->cr3.old_cr3, (unsigned long long)run->guest_rip);
		return VCPU_CONTINUE;
	default:
		snprintf(why, sizeof(why), "unknown exit reason %u (%s) from the module on vCPU %d",
			 run->exit_reason, hvlab_exit_name(run->exit_reason), v->id);
		vm_request_stop(v->vm, VM_EXIT_VMX_ERROR, false, why);
		return VCPU_STOP;
	}
}

/* ---- statistics --------------------------------------------------- */

/*
 * MSRs the guest tried that hvlab does not implement (each access got #GP):
 * the indices the module kept, then how many accesses it could not place.
 */
static void msr_print_refused(const struct hvlab_stats *st, FILE *f)
{
	uint64_t listed = 0;

	if (!st->msr_refused)
		return;
	fprintf(f, "  MSRs refused (#GP): %llu accesses\n", (unsigned long long)st->msr_refused);
	for (unsigned i = 0; i < HVLAB_MSR_REFUSED_SLOTS; i++) {
		const struct hvlab_msr_refused *r = &st->msr_refused_by_index[i];

		if (!r->reads && !r->writes)
			continue;
		listed += r->reads + r->writes;
		fprintf(f, "    msr 0x%08x %8llu rdmsr %8llu wrmsr\n", r->index,
			(unsigned long long)r->reads, (unsigned long long)r->writes);
	}
	if (st->msr_refused > listed)
		fprintf(f, "    (%llu more to indices beyond the first %d)\n",
			(unsigned long long)(st->msr_refused - listed), HVLAB_MSR_REFUSED_SLOTS);
}

void vcpu_print_stats(const struct hvlab_stats *st, int id, FILE *f)
{
	unsigned order[HVLAB_NR_EXIT_REASONS], n = 0;
	uint64_t count[HVLAB_NR_EXIT_REASONS];

	/* copy first: the module may still be writing (it is not, after the run) */
	for (unsigned i = 0; i < HVLAB_NR_EXIT_REASONS; i++) {
		count[i] = st->by_reason[i];
		if (count[i])
			order[n++] = i;
	}
	/* most frequent first; n <= 80, insertion sort is plenty */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && count[order[j]] > count[order[j - 1]]; j--) {
			unsigned t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	fprintf(f, "vCPU %d: %llu exits, %llu to userspace, %llu entries",
		id, (unsigned long long)st->exits, (unsigned long long)st->exits_to_user,
		(unsigned long long)st->entries);
	if (st->guest_cycles)	/* entry to exit, summed (0 from an older module) */
		fprintf(f, ", %llu guest cycles", (unsigned long long)st->guest_cycles);
	if (st->cr3_writes)
		fprintf(f, ", %llu CR3 writes", (unsigned long long)st->cr3_writes);
	/*
	 * One counter, two meanings: EPT violations that mapped a page, or
	 * under shadow paging (where no EPT violation ever exits) the #PF
	 * exits that filled a shadow entry (kmod/shadow.c).
	 */
	if (st->ept_faults)
		fprintf(f, st->by_reason[HVLAB_VMX_EXIT_EPT_VIOLATION] ?
			", %llu EPT faults" : ", %llu shadow fills",
			(unsigned long long)st->ept_faults);
	if (st->shadow_root_hits || st->shadow_root_misses)	/* --paging shadow */
		fprintf(f, ", %llu roots reused, %llu roots built, %llu table writes",
			(unsigned long long)st->shadow_root_hits,
			(unsigned long long)st->shadow_root_misses,
			(unsigned long long)st->shadow_pt_writes);
	fputc('\n', f);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "  %-22s %3u %12llu\n", vmx_exit_name(order[i]), order[i],
			(unsigned long long)count[order[i]]);
	msr_print_refused(st, f);
}

/* What the guest did with its disks (--disk): struct ata_stats of hw/ata.h. */
static void ata_print_stats(struct vm *vm, FILE *f)
{
	struct ata_stats st;

	ata_get_stats(vm->ata, &st);
	fprintf(f, "ATA primary channel (--disk): %llu commands, %llu errors\n",
		(unsigned long long)st.commands, (unsigned long long)st.errors);
	fprintf(f, "  %-22s %12llu commands %10llu sectors\n", "read",
		(unsigned long long)st.read_cmds, (unsigned long long)st.sectors_read);
	fprintf(f, "  %-22s %12llu commands %10llu sectors\n", "write",
		(unsigned long long)st.write_cmds, (unsigned long long)st.sectors_written);
	fprintf(f, "  %-22s %12llu commands\n", "flush", (unsigned long long)st.flushes);
}

/*
 * Interrupts: how many each source raised (rising edges per GSI, with the
 * ISA name of the line) and how many of each vector went into the guest.
 */
static void irq_print_stats(struct vm *vm, FILE *f)
{
	static const char *const isa[16] = {
		[IRQ_PIT] = "PIT", [IRQ_KBD] = "i8042", [IRQ_COM2] = "COM2",
		[IRQ_COM1] = "COM1", [IRQ_RTC] = "RTC", [IRQ_SCI] = "ACPI SCI",
		[IRQ_MOUSE] = "mouse", [IRQ_IDE0] = "IDE0", [IRQ_IDE1] = "IDE1",
	};
	struct irq_stats st;
	uint64_t total = 0;

	irqchip_stats(vm->irq, &st);
	for (unsigned i = 0; i < 256; i++)
		total += st.injected[i];
	if (!total && !st.ipis && !st.nmis)
		return;
	fprintf(f, "interrupts: %" PRIu64 " injected, %" PRIu64 " IPIs, %" PRIu64 " NMIs\n",
		total, st.ipis, st.nmis);
	for (unsigned g = 0; g < IOAPIC_PINS; g++)
		if (st.raised[g])
			fprintf(f, "  GSI %-2u %-9s raised %10" PRIu64 "\n", g,
				g < 16 && isa[g] ? isa[g] : "", st.raised[g]);
	for (unsigned v = 0; v < 256; v++)
		if (st.injected[v])
			fprintf(f, "  vector 0x%02x      injected %8" PRIu64 "\n", v, st.injected[v]);
	for (unsigned i = 0; i < vm->ncpus; i++)
		fprintf(f, "  vCPU %u: %" PRIu64 " injected, slept in HLT %" PRIu64 " times\n", i,
			vm->vcpu[i].injected, vm->vcpu[i].halts);
}

void vm_print_stats(struct vm *vm, FILE *f)
{
	for (unsigned i = 0; i < vm->ncpus; i++)
		if (vm->vcpu[i].stats)
			vcpu_print_stats(vm->vcpu[i].stats, (int)i, f);
		else
			fprintf(f, "vCPU %u: the module maps no statistics\n", i);
	if (vm->irq)
		irq_print_stats(vm, f);
	if (vm->ata)
		ata_print_stats(vm, f);
}
