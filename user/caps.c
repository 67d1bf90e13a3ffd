// SPDX-License-Identifier: GPL-2.0
/*
 * caps.c - `hvlab caps`: can this machine run hvlab guests, and if not, why?
 *
 * Like kvm-ok plus a capability dump.  It gathers facts without needing the
 * module (CPUID is unprivileged; /proc/cpuinfo and /sys/module tell the
 * rest), then, when /dev/hvlab opens, asks the module for the decoded VMX
 * capabilities (HVLAB_GET_CAPS) and for a VMXON/VMXOFF probe on every CPU
 * (HVLAB_PROBE).  On an AMD CPU it reads AMD-V's CPUID leaves and, when
 * root can read MSRs (/dev/cpu/0/msr), the firmware's VM_CR switch.
 * caps_diag.c turns the facts into one verdict line.
 * Exit status: 0 when guests can run, 1 when not, 2 on a usage error.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "caps_diag.h"
#include "commands.h"
#include "secureboot.h"

static bool path_exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static bool cpuinfo_has_flag(const char *flag)
{
	char line[8192];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (char *t = strtok(strchr(line, ':') + 1, " \n"); t;
		     t = strtok(NULL, " \n"))
			if (!strcmp(t, flag))
				found = true;
		break;
	}
	fclose(f);
	return found;
}

/*
 * Linux 6.12 added kvm.enable_virt_at_load, default Y: kvm_intel then turns
 * VMX on on every CPU when it loads and keeps it until it unloads, VM or no
 * VM.  Before 6.12 (and with the parameter N) KVM holds VMX only while a
 * KVM VM exists.  No file (older kernel, or kvm not loaded) reads as N.
 */
static bool kvm_enables_virt_at_load(void)
{
	char v[8] = "";
	FILE *f = fopen("/sys/module/kvm/parameters/enable_virt_at_load", "r");

	if (!f)
		return false;
	if (!fgets(v, sizeof(v), f))
		v[0] = '\0';
	fclose(f);
	return v[0] == 'Y' || v[0] == 'y' || v[0] == '1';
}

/* MSR `index` of CPU 0 through the msr driver, or -1 (not root, no msr.ko) */
static long long read_msr0(unsigned int index)
{
	unsigned long long v;
	int fd = open("/dev/cpu/0/msr", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &v, sizeof(v), index);
	close(fd);
	return n == sizeof(v) ? (long long)(v & 0x7fffffffffffffffull) : -1;
}

/* AMD-V facts: CPUID 0x80000001/0x8000000A (AMD APM Vol. 3, E.4.1/E.4.9) */
static void gather_svm(struct host_facts *h)
{
	unsigned int a, b, c, d;
	long long vm_cr;

	h->vm_cr = -1;
	h->kvm_amd = path_exists("/sys/module/kvm_amd");
	__cpuid(0x80000000, a, b, c, d);
	if (a < 0x80000001)
		return;
	__cpuid(0x80000001, a, b, c, d);
	h->cpuid_svm = c & (1u << 2);
	h->cpuinfo_svm = cpuinfo_has_flag("svm");
	if (!h->cpuid_svm)
		return;
	__cpuid(0x80000000, a, b, c, d);
	if (a >= 0x8000000a) {
		__cpuid(0x8000000a, a, b, c, d);
		h->svm_revision = a & 0xff;
		h->svm_asids = b;
		h->svm_features = d;
	}
	vm_cr = read_msr0(0xc0010114);
	h->vm_cr = vm_cr < 0 ? -1 : (int)(vm_cr & 0xff);
}

static void print_svm(const struct host_facts *h)
{
	printf("AMD-V (SVM), from CPUID\n");
	printf("  SVM in CPUID          %s\n", h->cpuid_svm ? "yes" : "no");
	printf("  svm in /proc/cpuinfo  %s\n", h->cpuinfo_svm ? "yes" : "no");
	printf("  kvm_amd               %s\n", h->kvm_amd ? "loaded" : "not loaded");
	if (!h->cpuid_svm)
		return;
	if (h->vm_cr < 0)
		printf("  firmware switch       unread (VM_CR needs root and the msr module: sudo modprobe msr)\n");
	else
		printf("  firmware switch       VM_CR %#x: SVM %s%s\n", h->vm_cr,
		       h->vm_cr & VM_CR_SVMDIS ? "disabled" : "allowed",
		       h->vm_cr & VM_CR_LOCK ? " (locked)" : "");
	printf("  SVM revision          %u, %u ASIDs\n", h->svm_revision, h->svm_asids);
	for (unsigned int bit = 0; bit < 32; bit++) {
		const char *name = svm_feature_name(bit);

		if (name)
			printf("  %-30s %s\n", name, h->svm_features & (1u << bit) ? "yes" : "no");
	}
}

static void gather(struct host_facts *h)
{
	unsigned int a, b, c, d;
	char vendor[13] = { 0 };
	int fd;

	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	h->intel = !strcmp(vendor, "GenuineIntel");
	h->amd = !strcmp(vendor, "AuthenticAMD");
	__cpuid(1, a, b, c, d);
	h->cpuid_vmx = c & (1u << 5);
	h->in_vm = c & (1u << 31);
	if (h->in_vm) {
		__cpuid(0x40000000, a, b, c, d);
		memcpy(h->hv_vendor, &b, 4);
		memcpy(h->hv_vendor + 4, &c, 4);
		memcpy(h->hv_vendor + 8, &d, 4);
	}
	h->cpuinfo_vmx = cpuinfo_has_flag("vmx");
	h->kvm_intel = path_exists("/sys/module/kvm_intel");
	h->kvm_virt_at_load = h->kvm_intel && kvm_enables_virt_at_load();
	h->vboxdrv = path_exists("/sys/module/vboxdrv");
	h->vmmon = path_exists("/sys/module/vmmon");
	h->module_loaded = path_exists("/sys/module/hvlab");
	h->vm_cr = -1;
	if (h->amd)
		gather_svm(h);	/* then, as on Intel, what the module says */

	fd = open(HVLAB_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		h->dev_errno = errno;
		return;
	}
	if (ioctl(fd, HVLAB_GET_API_VERSION, 0) != HVLAB_API_VERSION) {
		fprintf(stderr, "hvlab caps: module and tool disagree on the API version; rebuild both (make)\n");
		h->dev_errno = EPROTO;
		close(fd);
		return;
	}
	h->have_caps = ioctl(fd, HVLAB_GET_CAPS, &h->caps) == 0;
	h->have_probe = ioctl(fd, HVLAB_PROBE, &h->probe) == 0;
	close(fd);
}

static const struct {
	unsigned long long bit;
	const char *name;
} features[] = {
	{ HVLAB_CAP_EPT, "EPT (extended page tables)" },
	{ HVLAB_CAP_EPT_4LEVEL, "EPT 4-level walk" },
	{ HVLAB_CAP_EPT_5LEVEL, "EPT 5-level walk" },
	{ HVLAB_CAP_EPT_WB, "EPT write-back memory type" },
	{ HVLAB_CAP_EPT_2M, "EPT 2 MiB pages" },
	{ HVLAB_CAP_EPT_1G, "EPT 1 GiB pages" },
	{ HVLAB_CAP_EPT_AD, "EPT accessed/dirty bits" },
	{ HVLAB_CAP_EPT_EXEC_ONLY, "EPT execute-only pages" },
	{ HVLAB_CAP_INVEPT, "INVEPT" },
	{ HVLAB_CAP_VPID, "VPID (tagged TLB)" },
	{ HVLAB_CAP_INVVPID, "INVVPID" },
	{ HVLAB_CAP_UNRESTRICTED_GUEST, "unrestricted guest (real mode)" },
	{ HVLAB_CAP_VMCS_SHADOWING, "VMCS shadowing" },
	{ HVLAB_CAP_PREEMPTION_TIMER, "VMX preemption timer" },
	{ HVLAB_CAP_POSTED_INTERRUPTS, "posted interrupts" },
	{ HVLAB_CAP_MSR_BITMAPS, "MSR bitmaps" },
	{ HVLAB_CAP_IO_BITMAPS, "I/O bitmaps" },
	{ HVLAB_CAP_TRUE_CONTROLS, "TRUE control MSRs" },
	{ HVLAB_CAP_SECONDARY_CONTROLS, "secondary controls" },
	{ HVLAB_CAP_MONITOR_TRAP_FLAG, "monitor trap flag (single step)" },
	{ HVLAB_CAP_TPR_SHADOW, "TPR shadow" },
	{ HVLAB_CAP_VIRT_APIC_ACCESS, "virtualize APIC accesses" },
	{ HVLAB_CAP_LOAD_EFER, "load/save IA32_EFER" },
	{ HVLAB_CAP_LOAD_PAT, "load IA32_PAT" },
	{ HVLAB_CAP_VMFUNC, "VM functions" },
	{ HVLAB_CAP_WB_VMCS, "VMCS in write-back memory" },
};

static void print_caps(const struct hvlab_caps *c, bool raw)
{
	if (c->features & HVLAB_CAP_SVM) {
		printf("SVM backend (from the module)\n");
		printf("  nested paging (NPT)   %s\n", c->features & HVLAB_CAP_NPT ? "yes" : "no");
		printf("  next-RIP save (NRIP)  %s\n", c->features & HVLAB_CAP_NRIP ? "yes" : "no");
		printf("  flush by ASID         %s\n", c->features & HVLAB_CAP_FLUSH_ASID ? "yes" : "no");
		printf("  decode assists        %s\n", c->features & HVLAB_CAP_DECODE_ASSISTS ? "yes" : "no");
		return;
	}
	printf("VMX capabilities (from the module)\n");
	printf("  VMCS revision id      %#x, region %u bytes\n",
	       c->vmcs_revision, c->vmcs_size);
	printf("  CR3-target values     %u\n", c->cr3_target_count);
	if (c->features & HVLAB_CAP_PREEMPTION_TIMER)
		printf("  preemption timer      ticks every 2^%u TSC cycles\n",
		       c->preemption_timer_shift);
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		printf("  %-30s %s\n", features[i].name,
		       c->features & features[i].bit ? "yes" : "no");
	printf("  control fields         must-be-1   may-be-1\n");
	printf("    pin-based            %08x    %08x\n", c->pin.must_be_1, c->pin.may_be_1);
	printf("    processor-based      %08x    %08x\n", c->proc.must_be_1, c->proc.may_be_1);
	printf("    secondary            %08x    %08x\n", c->proc2.must_be_1, c->proc2.may_be_1);
	printf("    VM-exit              %08x    %08x\n", c->exit.must_be_1, c->exit.may_be_1);
	printf("    VM-entry             %08x    %08x\n", c->entry.must_be_1, c->entry.may_be_1);
	if (raw) {
		const unsigned long long *m = (const void *)&c->msr;
		static const char *names[] = {
			"FEATURE_CONTROL", "VMX_BASIC", "PINBASED", "PROCBASED",
			"EXIT", "ENTRY", "MISC", "CR0_FIXED0", "CR0_FIXED1",
			"CR4_FIXED0", "CR4_FIXED1", "VMCS_ENUM", "PROCBASED2",
			"EPT_VPID_CAP", "TRUE_PINBASED", "TRUE_PROCBASED",
			"TRUE_EXIT", "TRUE_ENTRY", "VMFUNC",
		};
		printf("  raw MSRs\n");
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			printf("    %-16s %#018llx\n", names[i], m[i]);
	}
}

static void print_probe(const struct hvlab_probe *p)
{
	static const char *owners[] = { "-", "unknown hypervisor", "kvm_intel", "hvlab (a VM is running)" };

	printf("VMXON probe, per CPU\n");
	for (unsigned int i = 0; i < p->nr_cpus && i < HVLAB_MAX_CPUS; i++) {
		const struct hvlab_probe_cpu *c = &p->cpu[i];

		printf("  CPU %-3u %-8s", c->cpu, c->result ? "FAILED" : "ok");
		if (c->result)
			printf(" (%s)", strerror(-c->result));
		if (c->owner && c->owner < 4)
			printf(" VMX held by %s", owners[c->owner]);
		printf("  CR4.VMXE before=%u after=%u\n", c->cr4_vmxe_before,
		       c->cr4_vmxe_after);
	}
}

/*
 * Secure Boot: a line in the Host section and, while the module is not
 * loaded and the kernel would refuse an unsigned one, how to sign it.
 * $HVLAB_SYSROOT (default "") is where /sys is read from, for tests.
 */
static void report_secure_boot(bool module_loaded, bool quiet)
{
	const char *root = getenv("HVLAB_SYSROOT");
	struct sb_facts sb;
	char line[128];

	sb_gather(root ? root : "", &sb);
	if (!quiet) {
		sb_describe(&sb, line, sizeof(line));
		printf("  Secure Boot           %s\n", line);
	}
	if (!module_loaded && sb_refuses_unsigned(&sb))
		sb_explain(stdout, &sb);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hvlab caps [--raw] [--quiet]\n\n"
		   "Diagnoses whether this machine can run hvlab guests: CPU vendor, VMX in\n"
		   "CPUID, the firmware switch, nested virtualization, the module, and a\n"
		   "VMXON probe on every CPU that finds other hypervisors holding VMX.\n"
		   "On AMD CPUs it reports AMD-V (SVM): its CPUID features and the firmware\n"
		   "switch (VM_CR, read as root with the msr module); hvlab itself needs VT-x.\n\n"
		   "  -r, --raw     also print the raw VMX capability MSRs\n"
		   "  -q, --quiet   print only the verdict\n"
		   "  -h, --help    this text\n\n"
		   "Exit status: 0 if guests can run, 1 if not.\n");
}

int cmd_caps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool raw = false, quiet = false;
	struct host_facts *h;
	char why[256], todo[256];
	enum verdict v;
	int opt;

	while ((opt = getopt_long(argc, argv, "rqh", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': raw = true; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return 1;
	gather(h);
	if (!quiet) {
		printf("Host\n");
		printf("  CPU vendor            %s\n", h->intel ? "Intel" : h->amd ? "AMD" : "other");
		printf("  VMX in CPUID          %s\n", h->cpuid_vmx ? "yes" : "no");
		printf("  vmx in /proc/cpuinfo  %s\n", h->cpuinfo_vmx ? "yes" : "no");
		printf("  running in a VM       %s%s%s\n", h->in_vm ? "yes (" : "no",
		       h->in_vm ? h->hv_vendor : "", h->in_vm ? ")" : "");
		printf("  other hypervisors     %s%s%s%s\n",
		       h->kvm_intel ? "kvm_intel " : "", h->vboxdrv ? "vboxdrv " : "",
		       h->vmmon ? "vmmon " : "",
		       h->kvm_intel || h->vboxdrv || h->vmmon ? "" : "none loaded");
		printf("  hvlab module          %s\n", h->module_loaded ? "loaded" : "not loaded");
		report_secure_boot(h->module_loaded, false);
		if (h->amd)
			print_svm(h);
		if (h->have_caps)
			print_caps(&h->caps, raw);
		if (h->have_probe)
			print_probe(&h->probe);
	}
	if (quiet)
		report_secure_boot(h->module_loaded, true);
	v = caps_diagnose(h, why, todo);
	if (v == VERDICT_OK)
		printf("VERDICT: this machine can run hvlab guests (%s).\n", why);
	else
		printf("VERDICT: this machine cannot run hvlab guests: %s.\n"
		       "  what to do: %s\n", why, todo);
	free(h);
	return v == VERDICT_OK ? 0 : 1;
}
