// SPDX-License-Identifier: GPL-2.0
/*
 * vm.c - building a VM from /dev/hvlab and running its vCPU threads.
 *
 * The module does everything that needs VMX; this file only talks to it
 * through the ioctls of include/uapi/hvlab.h, in the order vm.h lists.
 * The exits themselves are handled in vcpu_loop.c.
 *
 * Threads and signals.  Every vCPU has its own thread blocked in
 * HVLAB_RUN.  SIGINT and SIGTERM are blocked in all of them, so they are
 * taken by the main thread alone, which waits in sigtimedwait().  To get a
 * vCPU out of the guest, vcpu_kick() (vcpu_irq.c, the same kick an
 * interrupt uses) sets run->immediate_exit and, while the thread is inside
 * HVLAB_RUN, sends it SIGUSR1 (a no-op handler installed without
 * SA_RESTART): the module sees a pending signal and returns with EINTR or
 * HVLAB_EXIT_INTR; a thread asleep in HLT is woken.  To stop the VM the
 * main thread repeats the kick every 20 ms until the thread has left.
 * With --record a vCPU thread whose exit ring fills up wakes the main
 * thread early with SIGUSR2, also taken by its sigtimedwait().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dash/dash.h"
#include "dash/ioq.h"
#include "dash/trace.h"
#include "disk/disk.h"
#include "hw/ata.h"
#include "hw/clock.h"
#include "hw/devices.h"
#include "hw/irq.h"
#include "hw/pci.h"
#include "hw/ucall.h"
#include "loader/loader.h"
#include "vm.h"


/* ---- set-up without the module ------------------------------------ */

/*
 * The guest's console: UART bytes and ucall PRINT text.  It goes to
 * stdout (opt.console in tests), to the dashboard's console panel instead
 * when the dashboard owns the terminal, and into the trace with --record;
 * with --console-log also to that file, dashboard or not.
 * vm->console is a stdio stream over console_write (fopencookie), so the
 * ucall device can simply fprintf to it.
 */
static ssize_t console_write(void *cookie, const char *buf, size_t len)
{
	struct vm *vm = cookie;
	FILE *out = vm->opt.console ? vm->opt.console : stdout;

	if (vm->opt.console_log) {	/* whoever owns the terminal */
		fwrite(buf, 1, len, vm->opt.console_log);
		if (memchr(buf, '\n', len))
			fflush(vm->opt.console_log);
	}
	if (vm->dash) {
		dash_on_console(vm->dash, buf, len);	/* records too, with --record */
		return (ssize_t)len;
	}
	fwrite(buf, 1, len, out);
	if (memchr(buf, '\n', len))
		fflush(out);
	if (vm->rec)
		trace_write_console(vm->rec, TRACE_CONSOLE_SERIAL, buf, len);
	return (ssize_t)len;
}

static void console_out(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;

	console_write(vm, (const char *)&byte, 1);
}

void vm_log(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->dash)
		return;		/* the dashboard shows exits and accesses itself */
	fflush(vm->opt.console ? vm->opt.console : stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/*
 * The board, in the order devices are created (nothing depends on the
 * order; it is the order of the port map):
 *   0x0020-0x0021, 0x00a0-0x00a1  8259A PIC pair        pic8259.c  } irqchip.c
 *   0x04d0-0x04d1                 ELCR (edge/level)     pic8259.c  }
 *   0x0040-0x0043, 0x0061         8254 PIT, port B      pit8254.c
 *   0x0060, 0x0064                8042 keyboard ctrl    i8042.c
 *   0x0070-0x0071                 RTC and CMOS RAM      rtc_cmos.c
 *   0x0080                        POST code, ignored    port80.c
 *   UCALL_PORT (0xe0-0xe3)        test-guest ucalls     ucall.c
 *   0x00f4-0x00f7                 isa-debug-exit        debugexit.c
 *   0x03f8-0x03ff                 16550A UART -> stdout uart16550.c
 *   0x0510-0x0511                 fw_cfg                fwcfg.c
 *   ACPI_PM_BASE (0x600-0x60f)    ACPI PM1a, PM timer   acpi_pm.c
 *   0x0cf8, 0x0cfa-0x0cff         PCI config mech. #1   pci.c
 *   0xc000-0xffff                 PCI I/O BAR window    pci.c
 *   MMIO 0xc0000000-0xfebfffff    PCI memory BARs       pci.c
 *   0x0cf9                        reset control         reset.c
 *   MMIO 0xfec00000, 4 KiB        I/O APIC              ioapic.c   } irqchip.c
 *   MMIO 0xfee00000, 4 KiB        local APICs           lapic.c    }
 * with --net (attach_nics below), an Intel 82540EM per option on the PCI bus
 * (hw/e1000.c, its BARs in the windows above, INTA# on IRQ 10 or 11), and
 * with --disk (attach_disks below):
 *   0x01f0-0x01f7, 0x03f6         ATA primary channel   hw/ata.c
 *   0x0170-0x0177, 0x0376         ATA secondary channel (3rd/4th --disk)
 * The interrupt lines (PIT IRQ 0, keyboard 1, COM1 4, RTC 8, SCI 9) are
 * not connected yet (NULL).  A guest reset (8042, 0xCF9) ends the run with
 * VM_EXIT_RESET, an ACPI S5 power-off with VM_EXIT_OK.
 */
/* UCALL_TIMER_TSC: when CPU's local APIC timer last raised its interrupt */
static uint64_t timer_stamp(void *ctx, int cpu)
{
	struct vm *vm = ctx;

	return lapic_timer_tsc(irqchip_lapic(vm->irq), cpu);
}

int board_setup(struct vm *vm)
{
	struct hv_device *uc;
	unsigned ncpus = vm->opt.ncpus ? vm->opt.ncpus : 1;
	/* each device's interrupt line, into the chip's GSI of that number */
#define LINE(n) (&(struct irq_line){ .set = irqchip_set_irq, .ctx = vm->irq, .gsi = (n) })

	vm->irq = irqchip_new(ncpus, &vm_irqchip_ops, vm);
	if (!vm->irq || irqchip_attach(vm->irq, vm->bus) ||
	    !pit8254_attach(vm->bus, LINE(IRQ_PIT)) ||
	    !i8042_attach(vm->bus, LINE(IRQ_KBD), vm_request_stop, vm, VM_EXIT_RESET) ||
	    !rtc_cmos_attach(vm->bus, LINE(IRQ_RTC), vm->opt.ram_size) ||
	    !port80_attach(vm->bus) ||
	    !(uc = ucall_attach(vm->bus, &vm->mem, vm_request_stop, vm, vm->console, vm->opt.verbose)) ||
	    !debugexit_attach(vm->bus, DEBUGEXIT_PORT, vm_request_stop, vm) ||
	    !(vm->uart = uart16550_attach(vm->bus, UART_COM1_BASE, LINE(IRQ_COM1), console_out, vm)) ||
	    !fwcfg_attach(vm->bus, ncpus, vm->opt.ram_size, vm->opt.cmdline) ||
	    !acpi_pm_attach(vm->bus, LINE(IRQ_SCI), vm_request_stop, vm, VM_EXIT_OK) ||
	    !(vm->pci = pci_attach(vm->bus, LINE(0))) ||
	    !reset_cf9_attach(vm->bus, vm_request_stop, vm, VM_EXIT_RESET))
		return -1;
#undef LINE
	ucall_set_stamp(uc, timer_stamp, vm);
	return 0;
}

/*
 * --disk: open each image (disk/disk.c takes an exclusive flock on a
 * writable one, so a second VM cannot write it) and put them on the
 * primary ATA channel, the first as master, the second as slave, where
 * any OS's IDE driver looks first.  Exit statuses: 66 for a file that is
 * missing or unreadable, 69 for one another process holds, 65 for one
 * whose contents are not a valid image.
 */
/* Do two --disk arguments name the same file (its lock would refuse it)? */
static bool same_file(const char *spec_a, const char *spec_b)
{
	char a[4096], b[4096];
	struct stat sa, sb;

	snprintf(a, sizeof(a), "%.*s", (int)strcspn(spec_a, ","), spec_a);
	snprintf(b, sizeof(b), "%.*s", (int)strcspn(spec_b, ","), spec_b);
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int attach_disks(struct vm *vm)
{
	struct disk *d2[2] = { NULL, NULL };

	for (unsigned i = 0; i < vm->opt.ndisks && i < VM_MAX_DISKS; i++) {
		const char *spec = vm->opt.disk[i], *why;
		int err;

		for (unsigned j = 0; j < i; j++)
			if (same_file(spec, vm->opt.disk[j])) {
				fprintf(stderr, "hvlab run: --disk %s: the same image as --disk %s; a disk is attached once\n",
					spec, vm->opt.disk[j]);
				return VM_EXIT_USAGE;
			}
		vm->disk[i] = disk_open_spec(spec);
		if (vm->disk[i])
			continue;
		err = errno;
		why = disk_error();
		fprintf(stderr, "hvlab run: --disk %s: %s\n", spec, why);
		if (err == EWOULDBLOCK || strstr(why, "in use")) {
			fprintf(stderr, "  another hvlab (or hvlab disk) has it open for writing; stop it, or add ',readonly'\n");
			return VM_EXIT_UNAVAILABLE;
		}
		if (err == ENOENT || err == EACCES || err == EPERM || err == EISDIR)
			return VM_EXIT_NO_IMAGE;
		fprintf(stderr, "  'hvlab disk check FILE' explains what is wrong with it\n");
		return VM_EXIT_BAD_IMAGE;
	}
	if (!vm->opt.ndisks)
		return 0;
	d2[0] = vm->disk[0];
	d2[1] = vm->disk[1];
	vm->ata = ata_create(vm->bus, d2);
	if (!vm->ata) {
		fprintf(stderr, "hvlab: cannot set up the ATA controller (out of memory?)\n");
		return VM_EXIT_OSERR;
	}
	if (vm->opt.ndisks <= 2)
		return 0;
	/* disks 3 and 4: master and slave of the secondary channel (0x170) */
	d2[0] = vm->disk[2];
	d2[1] = vm->disk[3];
	if (!ata_create_secondary(vm->bus, d2)) {
		fprintf(stderr, "hvlab: cannot set up the secondary ATA channel (out of memory?)\n");
		return VM_EXIT_OSERR;
	}
	return 0;
}

/*
 * --net: one e1000 per option, in the first free PCI slots (1, 2, ...
 * after the bridge at 0: INTA# on IRQ 11, 10, ...), each with its backend.
 * Exit statuses: 64 for a malformed mode (a bad segment name or hostfwd),
 * 69 when the backend is refused (a TAP without permission, a busy host
 * port), 71 when out of memory.
 */
static int attach_nics(struct vm *vm)
{
	char err[512];

	for (unsigned i = 0; i < vm->opt.nnics && i < VM_MAX_NICS; i++) {
		int e;

		errno = 0;
		vm->nic[i] = netdev_create(vm->pci, &vm->mem, &vm->opt.net[i], i, err, sizeof(err));
		if (vm->nic[i])
			continue;
		e = errno;
		/* the backends' messages start with the mode already */
		if (!strncmp(err, vm->opt.net[i].mode, strcspn(vm->opt.net[i].mode, ",")))
			fprintf(stderr, "hvlab run: --net %s\n", err);
		else
			fprintf(stderr, "hvlab run: --net %s: %s\n", vm->opt.net[i].mode, err);
		if (e == ENOMEM)
			return VM_EXIT_OSERR;
		return e == EINVAL ? VM_EXIT_USAGE : VM_EXIT_UNAVAILABLE;
	}
	return 0;
}

/* A frame of a --net card: the network panel (it records too), or the trace. */
static void vm_on_frame(void *ctx, unsigned nic, unsigned dir, const uint8_t *frame, size_t len)
{
	struct vm *vm = ctx;

	if (vm->dash)
		dash_on_frame(vm->dash, nic, dir, frame, len);
	else if (vm->rec)
		trace_write_frame(vm->rec, nic, dir, frame, len);
}

void vm_watch_nics(struct vm *vm)
{
	for (unsigned i = 0; i < VM_MAX_NICS; i++)
		if (vm->nic[i] && (vm->dash || vm->rec))
			netdev_set_observer(vm->nic[i], vm_on_frame, vm);
}

int vm_init(struct vm *vm, const struct vm_options *opt)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->opt = *opt;
	vm->sys_fd = vm->fd = -1;
	for (unsigned i = 0; i < HVLAB_MAX_VCPUS; i++) {
		vm->vcpu[i].fd = -1;
		vcpu_irq_init(&vm->vcpu[i]);
	}
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->rec_lock, NULL);

	/* MAP_NORESERVE: untouched guest pages cost nothing until used */
	vm->ram = mmap(NULL, opt->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		fprintf(stderr, "hvlab: not enough memory for %" PRIu64 " MiB of guest RAM: %s; try a smaller -m\n",
			opt->ram_size >> 20, strerror(errno));
		return VM_EXIT_OSERR;
	}
	gmem_add(&vm->mem, 0, opt->ram_size, vm->ram, false);
	vm->console = fopencookie(vm, "w", (cookie_io_functions_t){ .write = console_write });
	if (vm->console)
		setvbuf(vm->console, NULL, _IONBF, 0);
	vm->bus = bus_new();
	if (!vm->console || !vm->bus || board_setup(vm)) {
		fprintf(stderr, "hvlab: cannot set up the devices (out of memory?)\n");
		return VM_EXIT_OSERR;
	}
	ret = attach_disks(vm);
	return ret ? ret : attach_nics(vm);
}

/* ---- the module --------------------------------------------------- */

static const char *owner_name(uint32_t owner)
{
	switch (owner) {
	case HVLAB_OWNER_KVM:
		return "KVM (kvm_intel)";
	case HVLAB_OWNER_HVLAB:
		return "hvlab itself (another VM)";
	default:
		return "an unknown hypervisor";
	}
}

static void explain_busy(struct vm *vm)
{
	struct hvlab_probe *p = calloc(1, sizeof(*p));
	uint32_t owner = HVLAB_OWNER_UNKNOWN;

	if (p && ioctl(vm->sys_fd, HVLAB_PROBE, p) >= 0)
		for (uint32_t i = 0; i < p->nr_cpus && i < HVLAB_MAX_CPUS; i++)
			if (p->cpu[i].owner != HVLAB_OWNER_NONE)
				owner = p->cpu[i].owner;
	free(p);
	fprintf(stderr, "hvlab: cannot create a VM: VMX is held by %s (EBUSY).\n", owner_name(owner));
	if (owner == HVLAB_OWNER_KVM || owner == HVLAB_OWNER_UNKNOWN)
		fprintf(stderr, "  Stop its VMs (QEMU/KVM, VirtualBox, ...) and unload it, e.g. 'sudo modprobe -r kvm_intel kvm',\n"
				"  then try again; 'hvlab caps' shows who holds VMX on each CPU.\n");
}

static void explain_no_vmx(struct vm *vm, int err)
{
	struct hvlab_caps caps;
	static const char *const why[] = {
		[HVLAB_STATUS_NO_VMX] = "this CPU has no VMX (CPUID.1:ECX.VMX = 0); in a VM, enable nested virtualization",
		[HVLAB_STATUS_FW_DISABLED] = "VMX is disabled in the firmware (IA32_FEATURE_CONTROL locked); enable VT-x in the BIOS setup",
		[HVLAB_STATUS_FW_UNLOCKED] = "IA32_FEATURE_CONTROL is not locked by the firmware",
		[HVLAB_STATUS_BAD_BASIC] = "IA32_VMX_BASIC reports something hvlab cannot use",
		[HVLAB_STATUS_NO_FEATURES] = "the CPU lacks a VMX control hvlab requires",
	};

	if (ioctl(vm->sys_fd, HVLAB_GET_CAPS, &caps) >= 0 && caps.status != HVLAB_STATUS_OK &&
	    caps.status < sizeof(why) / sizeof(why[0]) && why[caps.status])
		fprintf(stderr, "hvlab: cannot create a VM: %s; see 'hvlab caps'\n", why[caps.status]);
	else
		fprintf(stderr, "hvlab: cannot create a VM: %s; see 'hvlab caps'\n", strerror(err));
}

static int create_vcpu(struct vm *vm, struct vcpu *v, int id, long mmap_size)
{
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->fd, HVLAB_CREATE_VCPU, id);
	if (v->fd < 0) {
		fprintf(stderr, "hvlab: cannot create vCPU %d: %s\n", id, strerror(errno));
		return errno == ENOMEM ? VM_EXIT_OSERR : VM_EXIT_UNAVAILABLE;
	}
	v->run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		fprintf(stderr, "hvlab: cannot map the run page of vCPU %d: %s\n", id, strerror(errno));
		return VM_EXIT_OSERR;
	}
	v->mmap_size = (size_t)mmap_size;
	if ((size_t)mmap_size >= HVLAB_STATS_OFFSET + sizeof(struct hvlab_stats))
		v->stats = (struct hvlab_stats *)((char *)v->run + HVLAB_STATS_OFFSET);
	return 0;
}

int vm_create(struct vm *vm)
{
	struct hvlab_memory_region mr = {
		.slot = 0, .guest_phys = 0, .size = vm->opt.ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	long api, mmap_size;
	int ret;

	vm->sys_fd = open(HVLAB_DEVICE, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			fprintf(stderr, "hvlab: %s not found: the hvlab module is not loaded.\n"
					"  load it: sudo insmod kmod/hvlab.ko; see hvlab caps\n", HVLAB_DEVICE);
		else
			fprintf(stderr, "hvlab: cannot open %s: %s%s\n", HVLAB_DEVICE, strerror(errno),
				errno == EACCES ? " (run as root, or give your user access)" : "");
		return VM_EXIT_UNAVAILABLE;
	}
	api = ioctl(vm->sys_fd, HVLAB_GET_API_VERSION, 0);
	if (api != HVLAB_API_VERSION) {
		fprintf(stderr, "hvlab: the module speaks API version %ld, this tool %d: rebuild and reload both (make)\n",
			api, HVLAB_API_VERSION);
		return VM_EXIT_UNAVAILABLE;
	}
	vm->fd = ioctl(vm->sys_fd, HVLAB_CREATE_VM, (unsigned long)vm->opt.vm_flags);
	if (vm->fd < 0) {
		int err = errno;

		if (err == EBUSY)
			explain_busy(vm);
		else if (err == ENOMEM)
			fprintf(stderr, "hvlab: cannot create a VM: the module is out of memory\n");
		else if (err == EPERM && (vm->opt.vm_flags & HVLAB_VM_BENCH_FLOOR))
			fprintf(stderr, "hvlab: --bench-floor needs the module loaded with bench_floor=1 (benchmarks only)\n");
		else if (err == EINVAL && (vm->opt.vm_flags & HVLAB_VM_SHADOW_PAGING))
			fprintf(stderr, "hvlab: this module does not offer shadow paging (--paging shadow)\n");
		else if (err == EOPNOTSUPP)
			fprintf(stderr, "hvlab: the module does not offer the VM options asked for (an older module than this hvlab?)\n");
		else
			explain_no_vmx(vm, err);
		return err == ENOMEM ? VM_EXIT_OSERR : VM_EXIT_UNAVAILABLE;
	}
	if (ioctl(vm->fd, HVLAB_SET_MEMORY_REGION, &mr) < 0) {
		fprintf(stderr, "hvlab: cannot give the VM %" PRIu64 " MiB of memory: %s%s\n",
			vm->opt.ram_size >> 20, strerror(errno),
			errno == ENOMEM ? "; try a smaller -m" : "");
		return errno == ENOMEM ? VM_EXIT_OSERR : VM_EXIT_UNAVAILABLE;
	}
	mmap_size = ioctl(vm->sys_fd, HVLAB_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (long)sizeof(struct hvlab_run)) {
		fprintf(stderr, "hvlab: the module reports a vCPU mmap size of %ld bytes, too small\n",
			mmap_size);
		return VM_EXIT_UNAVAILABLE;
	}
	for (unsigned i = 0; i < vm->opt.ncpus; i++) {
		ret = create_vcpu(vm, &vm->vcpu[i], (int)i, mmap_size);
		if (ret)
			return ret;
		vm->ncpus = i + 1;
	}
	return 0;
}

/* ---- the state every vCPU starts in -------------------------------- */

static struct hvlab_segment segment(uint64_t base, uint32_t limit, uint16_t sel, uint8_t type,
				    bool code_or_data, bool big)
{
	return (struct hvlab_segment){
		.base = base, .limit = limit, .selector = sel, .type = type,
		.present = 1, .s = code_or_data, .db = big, .g = limit > 0xFFFFF,
	};
}

/*
 * Multiboot (spec 3.2): 32-bit protected mode, paging off, flat 4 GiB
 * code (read/execute) and data (read/write) segments, EFLAGS.IF = 0,
 * EAX = 0x2BADB002, EBX = the information structure.  The GDTR the spec
 * leaves undefined; the selectors (0x08 code, 0x10 data) are what most
 * kernels load anyway.  hvlab also gives each vCPU a 4 KiB stack.
 *
 * --flat: real mode, CS = ADDR >> 4 (base ADDR), IP = 0, the other
 * segments 0, SS:SP = 0:ADDR (the stack grows down below the image),
 * limits 0xFFFF, CR0 = ET; the module runs it as an unrestricted guest
 * (EPT) or in virtual-8086 mode (--paging shadow, kmod/rmode.c).
 *
 * A bzImage, vCPU 0 (boot.rst, "64-bit Boot Protocol"): 64-bit mode with
 * paging (CR0 PE|ET|NE|PG, CR4.PAE, EFER LME|LMA, CR3 = the loader's
 * identity map), the loader's GDT with CS = __BOOT_CS (0x10, L = 1) and
 * DS = ES = SS = __BOOT_DS (0x18), EFLAGS.IF = 0, RIP = startup_64,
 * RSI = the zero page; RSP a 4 KiB stack, which the protocol does not ask
 * for but costs nothing.  The other vCPUs wait for INIT/SIPI; the state
 * given to them here is the multiboot one and does not matter.
 *
 * All: TR a busy TSS and LDTR unusable, as VM entry demands of the guest
 * state (SDM Vol. 3 27.3.1.2), and APIC base 0xFEE00000, enabled, with
 * the BSP flag on vCPU 0 only (SDM Vol. 3 11.4.4).
 */
void boot_vcpu_state(const struct boot_image *img, int id, struct hvlab_regs *r,
		     struct hvlab_sregs *s)
{
	memset(r, 0, sizeof(*r));
	memset(s, 0, sizeof(*s));
	r->rflags = 0x2;	/* bit 1 is always 1 */
	if (img->linux64 && id == 0) {
		s->cs = segment(0, 0xFFFFFFFF, BZ_BOOT_CS, 0xB, true, false);
		s->cs.l = 1;
		s->ds = segment(0, 0xFFFFFFFF, BZ_BOOT_DS, 0x3, true, true);
		s->gdt.base = img->gdt;
		s->gdt.limit = BZ_GDT_LIMIT;
		s->cr0 = 0x80000031;	/* PG | NE | ET | PE */
		s->cr3 = img->page_tables;
		s->cr4 = 0x20;		/* PAE */
		s->efer = 0x500;	/* LMA | LME */
		r->rip = img->entry;
		r->rsi = img->boot_params;
		r->rsp = BOOT_STACKS_BASE + PAGE_SIZE_4K;
	} else if (img->flat) {
		s->cs = segment(img->entry, 0xFFFF, (uint16_t)(img->entry >> 4), 0xB, true, false);
		s->ds = segment(0, 0xFFFF, 0, 0x3, true, false);
		s->gdt.limit = 0xFFFF;
		s->idt.limit = 0x3FF;	/* the real-mode interrupt vector table */
		s->cr0 = 0x10;		/* ET */
		r->rip = 0;
		r->rsp = img->entry;
	} else {
		s->cs = segment(0, 0xFFFFFFFF, 0x08, 0xB, true, true);
		s->ds = segment(0, 0xFFFFFFFF, 0x10, 0x3, true, true);
		s->cr0 = 0x11;		/* PE | ET, PG = 0 */
		r->rip = img->entry;
		r->rax = MULTIBOOT_BOOT_MAGIC;
		r->rbx = img->info;
		r->rsp = BOOT_STACKS_BASE + (uint64_t)(id + 1) * PAGE_SIZE_4K;
	}
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->tr = segment(0, 0x67, 0, 0xB, false, false);	/* busy 32-bit TSS */
	s->ldt.unusable = 1;
	s->apic_base = LAPIC_BASE | (1u << 11) | (id == 0 ? 1u << 8 : 0);
}

int vm_set_boot_state(struct vm *vm, const struct boot_image *img)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct hvlab_regs regs;
		struct hvlab_sregs sregs;

		/* Linux starts the others itself, with INIT and STARTUP IPIs */
		if (img->linux64 && i > 0) {
			vm->vcpu[i].state = VCPU_WAIT_SIPI;
			continue;
		}
		boot_vcpu_state(img, (int)i, &regs, &sregs);
		if (ioctl(vm->vcpu[i].fd, HVLAB_SET_SREGS, &sregs) < 0 ||
		    ioctl(vm->vcpu[i].fd, HVLAB_SET_REGS, &regs) < 0) {
			fprintf(stderr, "hvlab: cannot set the boot registers of vCPU %u: %s\n",
				i, strerror(errno));
			return VM_EXIT_UNAVAILABLE;
		}
	}
	return 0;
}

/* ---- running ------------------------------------------------------ */

bool vm_stopping(struct vm *vm)
{
	return atomic_load(&vm->stopping);
}

static void kick_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpu[i];

		if (!atomic_load(&v->done))
			vcpu_kick(v);	/* out of the guest, or out of its HLT sleep */
	}
}

void vm_request_stop(void *opaque, int status, bool quiet, const char *why)
{
	struct vm *vm = opaque;
	bool first;

	pthread_mutex_lock(&vm->lock);
	first = !atomic_load(&vm->stopping);
	if (first) {
		vm->exit_status = status;
		if (why && (!quiet || vm->opt.verbose)) {
			snprintf(vm->stop_why, sizeof(vm->stop_why), "%s", why);
			vm->stop_why_pending = true;
		}
		atomic_store(&vm->stopping, true);
	}
	pthread_mutex_unlock(&vm->lock);
	if (first && vm->stop_why_pending && !vm->dash) {
		vm->stop_why_pending = false;
		fflush(vm->opt.console ? vm->opt.console : stdout);
		fprintf(stderr, "hvlab: %s\n", vm->stop_why);
	}
}

static void snapshot_regs(struct vcpu *v)
{
	struct hvlab_regs regs;
	struct hvlab_sregs sregs;

	if (ioctl(v->fd, HVLAB_GET_REGS, &regs) == 0 && ioctl(v->fd, HVLAB_GET_SREGS, &sregs) == 0)
		dash_on_regs(v->vm->dash, (unsigned)v->id, &regs, &sregs);
}

/*
 * --record without the dashboard: copy the new exits of one vCPU's ring
 * into the trace, and tell the module how far it got (run->ring_tail).
 * The main thread does it every tick (20 ms) and when a vCPU thread asks
 * (watch_ring below), with the device accesses the vCPU threads queued
 * (vm->rec_io), so a vCPU thread does no trace work of its own.
 */
static void record_ring(struct vm *vm, unsigned i)
{
	if (!vm->vcpu[i].stats)
		return;
	pthread_mutex_lock(&vm->rec_lock);
	trace_record_stats(vm->rec, i, vm->vcpu[i].stats, &vm->rec_cursor[i]);
	__atomic_store_n(&vm->vcpu[i].run->ring_tail, vm->rec_cursor[i], __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vm->rec_lock);
}

/*
 * --record or --dashboard, after each exit to userspace.  The ring holds
 * HVLAB_EXIT_RING_SIZE exits, and a guest can make more than that between
 * two ticks of the main thread (1 ms while the rings fill, see vm_run): a
 * vCPU thread that finds half of its ring unread (run->ring_tail, which
 * either reader stores) wakes the main thread early (VM_DRAIN_SIGNAL, once
 * until it has drained), so the copying stays on the main thread's CPU
 * and off the guest's.  Only when the ring is three quarters unread
 * anyway does the vCPU thread drain it itself, and in a lossless run (the
 * default, run->ring_wait) the module stops the vCPU with
 * HVLAB_EXIT_RING_FULL before it would overwrite an unread record.
 */
static void watch_ring(struct vm *vm, unsigned i)
{
	const struct hvlab_stats *st = vm->vcpu[i].stats;
	uint64_t unread;

	if (!st)
		return;
	unread = __atomic_load_n(&st->head, __ATOMIC_ACQUIRE) -
		 __atomic_load_n(&vm->vcpu[i].run->ring_tail, __ATOMIC_RELAXED);
	if (unread >= HVLAB_EXIT_RING_SIZE * 3 / 4)
		vm_drain_ring(vm, i);
	else if (unread >= HVLAB_EXIT_RING_SIZE / 2 &&
		 !atomic_load_explicit(&vm->drain_asked, memory_order_relaxed) &&
		 !atomic_exchange(&vm->drain_asked, true))
		pthread_kill(vm->main_thread, VM_DRAIN_SIGNAL);
}

void vm_drain_ring(struct vm *vm, unsigned i)
{
	if (vm->dash)
		dash_drain_vcpu(vm->dash, i);
	else if (vm->rec)
		record_ring(vm, i);
	else	/* nobody reads the ring: stop waiting for a reader */
		vm->vcpu[i].run->ring_wait = 0;
}

void vm_set_lossless(struct vm *vm, bool on)
{
	for (unsigned i = 0; i < vm->ncpus; i++)
		if (vm->vcpu[i].run && vm->vcpu[i].stats)
			vm->vcpu[i].run->ring_wait = on;
}

_Static_assert(IOAPIC_PINS == TRACE_IRQ_GSIS, "one trace counter per GSI");
_Static_assert(HVLAB_MAX_VCPUS <= TRACE_MAX_VCPUS, "one trace counter per vCPU");

void vm_irq_snapshot(void *ctx, struct trace_irq *out)
{
	struct vm *vm = ctx;
	struct irq_stats st;

	memset(out, 0, sizeof(*out));
	if (!vm->irq)
		return;
	irqchip_stats(vm->irq, &st);
	memcpy(out->raised, st.raised, sizeof(out->raised));
	memcpy(out->injected, st.injected, sizeof(out->injected));
	out->ipis = st.ipis;
	out->nmis = st.nmis;
	/*
	 * Each vCPU thread alone increments its own counts; an aligned 64-bit
	 * load sees either the old or the new value, and a count one behind
	 * is redrawn a tick later.
	 */
	for (unsigned i = 0; i < vm->ncpus; i++) {
		out->vcpu_injected[i] = __atomic_load_n(&vm->vcpu[i].injected, __ATOMIC_RELAXED);
		out->vcpu_halts[i] = __atomic_load_n(&vm->vcpu[i].halts, __ATOMIC_RELAXED);
	}
}

/* --record without the dashboard: the interrupt counters, ten times a second at most. */
static void record_irq(struct vm *vm, bool last)
{
	struct trace_irq s;

	if (!vm->irq)
		return;
	vm_irq_snapshot(vm, &s);
	trace_record_irq(vm->rec, &s, last);
}

static void record_rings(struct vm *vm)
{
	struct bus_access a[256];
	size_t n;

	for (unsigned i = 0; i < vm->ncpus; i++)
		record_ring(vm, i);
	while ((n = ioq_pop(vm->rec_io, a, 256)))
		for (size_t k = 0; k < n; k++)
			trace_on_io(vm->rec, &a[k]);
	trace_write_io_dropped(vm->rec, ioq_take_lost(vm->rec_io));
	record_irq(vm, false);
}

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * --bench-floor: account one round trip to userspace, from the stamps the
 * module left in run->bench and this thread's own: call (before the
 * ioctl), back (after it), handled (after vcpu_handle_exit).  Only port
 * I/O exits that follow another one count, so that "the rest of the user
 * loop" is measured from the previous exit's handling (after this
 * accounting, which an ordinary run does not do).
 */
static void bench_account(struct vcpu *v, uint64_t call, uint64_t back, uint64_t handled)
{
	const struct hvlab_run *run = v->run;
	uint64_t in = run->bench.ioctl_in, enter = run->bench.vmenter;
	uint64_t exit = run->bench.vmexit, out = run->bench.ioctl_out;
	uint64_t prev = v->bench.handled;

	v->bench.handled = 0;
	if (run->exit_reason != HVLAB_EXIT_IO)
		return;
	v->bench.handled = handled;
	/* an external interrupt's exit in between, another CPU's TSC: skip */
	if (!prev || !(prev <= call && call <= in && in <= enter && enter <= exit &&
		       exit <= out && out <= back))
		return;
	v->bench.n++;
	v->bench.loop += call - prev;
	v->bench.call += in - call;
	v->bench.enter += enter - in;
	v->bench.guest += exit - enter;
	v->bench.exit += out - exit;
	v->bench.ret += back - out;
	v->bench.dispatch += handled - back;
	if (call <= run->bench.fop_in && run->bench.fop_in <= run->bench.locked &&
	    run->bench.locked <= in && out <= run->bench.fop_out &&
	    run->bench.fop_out <= back) {
		v->bench.sysin += run->bench.fop_in - call;
		v->bench.lockin += run->bench.locked - run->bench.fop_in;
		v->bench.sw += in - run->bench.locked;
		v->bench.lockout += run->bench.fop_out - out;
		v->bench.sysout += back - run->bench.fop_out;
	}
}

/*
 * --bench-floor: what a system call costs here, as the reference for the
 * round trip's "call" and "ret": n times HVLAB_GET_API_VERSION on
 * /dev/hvlab (the system call, the file lookup, the module's switch) and
 * an unknown ioctl on the vCPU file (the same plus the vCPU's lock and
 * vcpu_get/vcpu_put, then -ENOTTY).  Average TSC cycles per call.
 */
static void bench_bare_ioctls(struct vm *vm, FILE *f)
{
	enum { N = 2000 };
	uint64_t t0, t1, t2;

	if (vm->sys_fd < 0 || !vm->ncpus || vm->vcpu[0].fd < 0)
		return;
	t0 = tsc();
	for (int i = 0; i < N; i++)
		(void)ioctl(vm->sys_fd, HVLAB_GET_API_VERSION, 0);
	t1 = tsc();
	for (int i = 0; i < N; i++)
		(void)ioctl(vm->vcpu[0].fd, _IO(HVLAB_IOC, 0xff), 0);
	t2 = tsc();
	fprintf(f, "hvlab: bench: bare ioctl, average TSC cycles: api_version %" PRIu64
		" vcpu_unknown %" PRIu64 "\n", (t1 - t0) / N, (t2 - t1) / N);
}

static void bench_print(struct vm *vm, FILE *f)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		const struct vcpu *v = &vm->vcpu[i];
		uint64_t n = v->bench.n;

		if (!n)
			continue;
		fprintf(f, "hvlab: bench: vCPU %u: %" PRIu64 " round trips to userspace, average TSC cycles:"
			" exit %" PRIu64 " ret %" PRIu64 " dispatch %" PRIu64 " loop %" PRIu64
			" call %" PRIu64 " enter %" PRIu64 " guest %" PRIu64 "\n", i, n,
			v->bench.exit / n, v->bench.ret / n, v->bench.dispatch / n, v->bench.loop / n,
			v->bench.call / n, v->bench.enter / n, v->bench.guest / n);
		fprintf(f, "hvlab: bench: vCPU %u: the system call split, average TSC cycles:"
			" sysin %" PRIu64 " lockin %" PRIu64 " switch %" PRIu64
			" lockout %" PRIu64 " sysout %" PRIu64 "\n", i,
			v->bench.sysin / n, v->bench.lockin / n, v->bench.sw / n,
			v->bench.lockout / n, v->bench.sysout / n);
		fprintf(f, "hvlab: bench: vCPU %u: context switches: %" PRIu64 " voluntary, %" PRIu64
			" involuntary\n", i, v->bench.nvcsw, v->bench.nivcsw);
	}
	bench_bare_ioctls(vm, f);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	sigset_t kick;

	hw_set_current_vcpu(v->id);
	sigemptyset(&kick);
	sigaddset(&kick, VM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	while (!vm_stopping(vm)) {
		bool bench = vm->opt.vm_flags & HVLAB_VM_BENCH_FLOOR;
		uint64_t t_call = 0, t_back = 0;
		enum vcpu_action act;
		int ret;

		/* the dashboard's pause and single step happen here */
		if (vm->dash && dash_gate(vm->dash, (unsigned)v->id) < 0) {
			vm_request_stop(vm, VM_EXIT_SIGINT, false, "dashboard closed: guest stopped");
			break;
		}
		ret = vcpu_prepare_run(v);	/* INIT/STARTUP, the next interrupt */
		if (ret) {
			char why[128];

			if (ret > 0)
				break;		/* stopped while waiting for STARTUP */
			snprintf(why, sizeof(why), "vCPU %d: cannot start it at STARTUP: %s",
				 v->id, strerror(-ret));
			vm_request_stop(vm, VM_EXIT_VMX_ERROR, false, why);
			break;
		}
		atomic_store(&v->in_run, true);
		if (bench)
			t_call = tsc();
		ret = ioctl(v->fd, HVLAB_RUN, 0);
		if (bench)
			t_back = tsc();
		atomic_store(&v->in_run, false);
		if (ret < 0) {
			char why[128];

			if (errno == EINTR || errno == EAGAIN)
				continue;	/* a kick, or Ctrl-C: the loop test decides */
			snprintf(why, sizeof(why), "vCPU %d: HVLAB_RUN failed: %s", v->id,
				 strerror(errno));
			vm_request_stop(vm, VM_EXIT_VMX_ERROR, false, why);
			break;
		}
		act = vcpu_handle_exit(v);
		if (bench) {
			bench_account(v, t_call, t_back, tsc());
			/* the rest of the loop starts after the accounting */
			if (v->bench.handled)
				v->bench.handled = tsc();
		}
		if (vm->rec || vm->dash)
			watch_ring(vm, (unsigned)v->id);
		if (vm->dash && dash_want_regs(vm->dash, (unsigned)v->id))
			snapshot_regs(v);
		if (act == VCPU_WAIT_IRQ)
			act = vcpu_wait_irq(v);
		if (act != VCPU_CONTINUE)
			break;
	}
	if (vm->opt.vm_flags & HVLAB_VM_BENCH_FLOOR) {
		struct rusage ru;	/* how often the host took this CPU away */

		if (getrusage(RUSAGE_THREAD, &ru) == 0) {
			v->bench.nvcsw = (uint64_t)ru.ru_nvcsw;
			v->bench.nivcsw = (uint64_t)ru.ru_nivcsw;
		}
	}
	atomic_store(&v->done, true);
	return NULL;
}

static void kick_handler(int sig)
{
	(void)sig;	/* only there to interrupt HVLAB_RUN */
}

int vm_run(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = kick_handler };	/* no SA_RESTART */
	sigset_t block, waitset, old;
	uint64_t heads = 0;
	unsigned started = 0;

	if (vm->ata && vm->opt.verbose && !vm->dash)
		ata_set_log(vm->ata, stderr);	/* -v: one line per disk command */
	sigaction(VM_KICK_SIGNAL, &sa, NULL);
	/*
	 * SIGINT and SIGTERM are taken by sigtimedwait() below, blocked.  A
	 * signal whose disposition is SIG_IGN is discarded even when blocked,
	 * and a shell starts background jobs with SIGINT ignored: without a
	 * handler of ours, `hvlab run ... &` or `timeout -s INT` could not stop
	 * the guest.
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(VM_DRAIN_SIGNAL, &sa, NULL);	/* one left pending: not fatal */
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGINT);
	sigaddset(&waitset, SIGTERM);
	sigaddset(&waitset, VM_DRAIN_SIGNAL);
	vm->main_thread = pthread_self();
	block = waitset;
	sigaddset(&block, VM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &block, &old);	/* inherited by the threads */
	if (vm->dash) {
		sigset_t wait;

		/* SIGINT and SIGTERM stay blocked, for sigtimedwait() */
		pthread_sigmask(SIG_BLOCK, NULL, &wait);
		sigdelset(&wait, VM_DRAIN_SIGNAL);
		dash_set_wait_mask(vm->dash, &wait);
	}

	/* the device timers (PIT, RTC, LAPIC) and the terminal's keys */
	if (hw_timers_start() < 0)
		vm_request_stop(vm, VM_EXIT_OSERR, false, "cannot start the timer thread");
	if (!vm->dash && console_open(vm) < 0)
		vm_request_stop(vm, VM_EXIT_OSERR, false, "cannot put the terminal in raw mode");
	for (unsigned i = 0; i < vm->ncpus; i++) {
		if (pthread_create(&vm->vcpu[i].thread, NULL, vcpu_thread, &vm->vcpu[i])) {
			vm_request_stop(vm, VM_EXIT_OSERR, false, "cannot start a vCPU thread");
			for (unsigned j = i; j < vm->ncpus; j++)
				atomic_store(&vm->vcpu[j].done, true);	/* never kicked */
			break;
		}
		started++;
	}
	for (;;) {
		static const struct timespec now = { 0, 0 };
		uint64_t seen = heads;
		struct timespec tick = { 0 };
		bool all_done = true;
		int sig, ms;

		/*
		 * The tick: 20 ms, or 1 ms while the rings fill (a watched
		 * guest that made an eighth of a ring of exits since the last
		 * look), so that the main thread drains before a vCPU thread
		 * has to ask (watch_ring): a wake-up costs the guest's CPU a
		 * system call, a look every millisecond costs it nothing.
		 */
		heads = 0;
		for (unsigned i = 0; i < vm->ncpus; i++)
			if (vm->vcpu[i].stats)
				heads += __atomic_load_n(&vm->vcpu[i].stats->head,
							 __ATOMIC_RELAXED);
		ms = (vm->rec || vm->dash) && heads - seen >= HVLAB_EXIT_RING_SIZE / 8 ? 1 : 20;
		tick.tv_nsec = ms * 1000000L;
		/*
		 * The dashboard waits for keys, and for VM_DRAIN_SIGNAL (its
		 * wait mask lets that one in, see below); then only collect
		 * the other signals.  A drain request is answered by the
		 * drain that starts dash_poll.
		 */
		if (vm->dash) {
			atomic_store(&vm->drain_asked, false);
			if (dash_poll(vm->dash, ms) == DASH_QUIT)
				vm_request_stop(vm, VM_EXIT_SIGINT, false,
						"dashboard closed: guest stopped");
		}
		sig = sigtimedwait(&waitset, NULL, vm->dash ? &now : &tick);
		if (sig == VM_DRAIN_SIGNAL)
			atomic_store(&vm->drain_asked, false);	/* before: a later ask is heard */
		if (vm->rec)
			record_rings(vm);

		if (sig == SIGINT)
			vm_request_stop(vm, VM_EXIT_SIGINT, false, "interrupted: stopping the guest");
		else if (sig == SIGTERM)
			vm_request_stop(vm, 128 + SIGTERM, false, "terminated: stopping the guest");
		for (unsigned i = 0; i < started; i++)
			all_done &= atomic_load(&vm->vcpu[i].done);
		if (all_done)
			break;
		if (vm_stopping(vm)) {
			if (vm->dash)
				dash_stop(vm->dash);	/* wakes vCPUs paused in dash_gate */
			kick_vcpus(vm);
		}
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(vm->vcpu[i].thread, NULL);
	hw_timers_stop();
	console_close(vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* frames still arrive (the cards stop in vm_destroy): not to a closed dashboard or trace */
	for (unsigned i = 0; i < VM_MAX_NICS; i++)
		if (vm->nic[i])
			netdev_set_observer(vm->nic[i], NULL, NULL);
	if (vm->dash) {
		dash_poll(vm->dash, 0);		/* drain the rings one last time */
		dash_close(vm->dash);		/* the terminal is ours again */
		vm->dash = NULL;
	}
	if (vm->rec) {
		record_rings(vm);
		record_irq(vm, true);	/* the final counts, however recent the last */
	}
	fflush(vm->opt.console ? vm->opt.console : stdout);
	if (!vm_stopping(vm))	/* every thread left on its own: all halted */
		vm_request_stop(vm, VM_EXIT_OK, true, NULL);
	if (vm->stop_why_pending) {
		vm->stop_why_pending = false;
		fprintf(stderr, "hvlab: %s\n", vm->stop_why);
	}
	/* -v and stopped from outside: where was each vCPU? */
	if (vm->opt.verbose && (vm->exit_status == VM_EXIT_SIGINT ||
				vm->exit_status == 128 + SIGTERM)) {
		for (unsigned i = 0; i < vm->ncpus; i++) {
			fprintf(stderr, "hvlab: vCPU %u when stopped:\n", i);
			vcpu_dump_regs(&vm->vcpu[i]);
		}
	}
	if (vm->opt.vm_flags & HVLAB_VM_BENCH_FLOOR)
		bench_print(vm, stderr);
	if (vm->opt.verbose || vm->opt.stats) {
		vm_print_stats(vm, stderr);
		for (unsigned i = 0; i < VM_MAX_NICS; i++)
			if (vm->nic[i])
				netdev_print_stats(vm->nic[i], stderr);
	}
	return vm->exit_status;
}

void vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < HVLAB_MAX_VCPUS; i++) {
		struct vcpu *v = &vm->vcpu[i];

		if (v->run && v->fd >= 0)
			munmap(v->run, v->mmap_size);
		if (v->fd >= 0)
			close(v->fd);
		v->fd = -1;
		v->run = NULL;
	}
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->fd = vm->sys_fd = -1;
	for (unsigned i = 0; i < VM_MAX_NICS; i++)
		netdev_stop(vm->nic[i]);	/* no frame arrives any more */
	bus_free(vm->bus);		/* the ATA controller flushes the disks */
	vm->bus = NULL;
	for (unsigned i = 0; i < VM_MAX_NICS; i++) {
		netdev_free(vm->nic[i]);	/* its PCI device went with the bus */
		vm->nic[i] = NULL;
	}
	irqchip_free(vm->irq);		/* the bus does not own it: after the bus */
	vm->irq = NULL;
	ioq_free(vm->rec_io);
	vm->rec_io = NULL;
	vm->ata = NULL;
	for (unsigned i = 0; i < VM_MAX_DISKS; i++) {
		if (vm->disk[i] && disk_close(vm->disk[i]))
			fprintf(stderr, "hvlab: --disk %s: %s\n", vm->opt.disk[i], disk_error());
		vm->disk[i] = NULL;
	}
	if (vm->console)
		fclose(vm->console);
	vm->console = NULL;
	if (vm->ram)
		munmap(vm->ram, vm->opt.ram_size);
	vm->ram = NULL;
	for (unsigned i = 0; i < HVLAB_MAX_VCPUS; i++)
		vcpu_irq_destroy(&vm->vcpu[i]);
	pthread_mutex_destroy(&vm->lock);
	pthread_mutex_destroy(&vm->rec_lock);
}
