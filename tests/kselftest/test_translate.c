// SPDX-License-Identifier: GPL-2.0
/*
 * test_translate.c - the translation inspector (HVLAB_TRANSLATE) and both
 * paging backends, on the seed's example: guest-virtual 0x1000 mapped to
 * guest-physical 0x2000, and wherever the host put that page.
 *
 * The guest runs 32-bit protected mode with its own 32-bit page tables
 * (PD at GPA 0x3000, PT at 0x4000; code identity-mapped at 0x8000):
 *   mov eax, [0x1000] ; hlt ; invlpg [0x1000] ; mov eax, [0x1000] ; hlt
 * After the first HLT the test asks for the walk of 0x1000: it must end in
 * the host frame that backs GPA 0x2000 -- found independently through
 * /proc/self/pagemap of the test's own mapping of guest RAM.  Then the test
 * remaps 0x1000 to GPA 0x5000 in the guest's PT, the guest INVLPGs and
 * reads again, and the next walk must follow.  Both second-level paging
 * (EPT on VMX, NPT on SVM) and shadow paging, on both vendors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvlab_test.h"
#include "kselftest_harness.h"

#define RAM	0x20000

static const unsigned char code[] = {
	0xa1, 0x00, 0x10, 0x00, 0x00,			/* mov eax, [0x1000] */
	0xf4,						/* hlt */
	0x0f, 0x01, 0x3d, 0x00, 0x10, 0x00, 0x00,	/* invlpg [0x1000] */
	0xa1, 0x00, 0x10, 0x00, 0x00,			/* mov eax, [0x1000] */
	0xf4,						/* hlt */
};

static uint64_t host_frame(void *va)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, ((uintptr_t)va / 4096) * 8) != 8)
		e = 0;
	close(fd);
	if (!(e & (1ull << 63)))
		return 0;
	return (e & ((1ull << 55) - 1)) << 12;
}

FIXTURE(xlate) {
	int sys, vm, vcpu;
	uint8_t *ram;
	struct hvlab_run *run;
	size_t map;
};

FIXTURE_VARIANT(xlate) {
	unsigned long flags;
	int shadow;
};

FIXTURE_VARIANT_ADD(xlate, ept) { .flags = 0, .shadow = 0 };
FIXTURE_VARIANT_ADD(xlate, shadow) {
	.flags = HVLAB_VM_SHADOW_PAGING, .shadow = 1
};

static void flat32(struct hvlab_segment *s, int code_seg)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->type = code_seg ? 0xb : 0x3;
	s->s = s->present = s->db = s->g = 1;
	s->selector = code_seg ? 0x8 : 0x10;
}

FIXTURE_SETUP(xlate)
{
	struct hvlab_memory_region r = { 0 };
	struct hvlab_regs regs = { .rip = 0x8000, .rflags = 2 };
	struct hvlab_sregs s;
	uint32_t *pd, *pt;

	ASSERT_EQ(0, hvlab_ensure_loaded());
	self->sys = self->vm = self->vcpu = -1;
	self->sys = hvlab_open_dev();
	ASSERT_LE(0, self->sys);
	self->vm = ioctl(self->sys, HVLAB_CREATE_VM, variant->flags);
	ASSERT_LE(0, self->vm);
	self->ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ram);
	pd = (uint32_t *)(self->ram + 0x3000);
	pt = (uint32_t *)(self->ram + 0x4000);
	pd[0] = 0x4000 | 3;
	pt[1] = 0x2000 | 3;		/* VA 0x1000 -> GPA 0x2000 */
	pt[8] = 0x8000 | 3;		/* the code, identity */
	self->ram[0x2000] = 0x11;
	self->ram[0x5000] = 0x55;
	memcpy(self->ram + 0x8000, code, sizeof(code));
	r.size = RAM;
	r.userspace_addr = (uintptr_t)self->ram;
	ASSERT_EQ(0, ioctl(self->vm, HVLAB_SET_MEMORY_REGION, &r));
	self->vcpu = ioctl(self->vm, HVLAB_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu);
	self->map = ioctl(self->sys, HVLAB_GET_VCPU_MMAP_SIZE, 0);
	self->run = mmap(NULL, self->map, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, self->run);

	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_GET_SREGS, &s));
	flat32(&s.cs, 1);
	flat32(&s.ds, 0);
	flat32(&s.es, 0);
	flat32(&s.ss, 0);
	flat32(&s.fs, 0);
	flat32(&s.gs, 0);
	s.cr0 = 0x80000011;		/* PG | ET | PE */
	s.cr3 = 0x3000;
	s.cr4 = 0;
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_SET_REGS, &regs));
}

FIXTURE_TEARDOWN(xlate)
{
	munmap(self->run, self->map);
	munmap(self->ram, RAM);
	close(self->vcpu);
	close(self->vm);
	close(self->sys);
}

static void expect_walk(struct __test_metadata *_metadata,
			FIXTURE_DATA(xlate) *self, int shadow, uint64_t gpa,
			uint64_t host)
{
	struct hvlab_translation t = { .gva = 0x1000 };

	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_TRANSLATE, &t));
	EXPECT_EQ(HVLAB_WALK_OK, t.fault);
	EXPECT_EQ(2, t.paging_mode);		/* 32-bit paging */
	EXPECT_EQ(2, t.guest_steps);		/* PDE, PTE */
	EXPECT_EQ(0x3000, t.guest[0].table);
	EXPECT_EQ(0x4000, t.guest[1].table);
	EXPECT_EQ(gpa, t.gpa);
	EXPECT_EQ(shadow, t.shadow);
	EXPECT_LE(1, t.second_steps);
	ASSERT_NE(0, host);
	EXPECT_EQ(host, t.hpa & ~0xfffull);
	TH_LOG("GVA 0x1000 -> GPA 0x%llx -> HPA 0x%llx (%s)",
	       (unsigned long long)t.gpa, (unsigned long long)t.hpa,
	       shadow ? "shadow" : "EPT");
}

TEST_F(xlate, va_0x1000_follows_remap_and_invlpg)
{
	struct hvlab_regs regs;
	uint32_t *pt = (uint32_t *)(self->ram + 0x4000);

	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_RUN, 0));
	ASSERT_EQ(HVLAB_EXIT_HLT, self->run->exit_reason);
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(0x11, regs.rax & 0xff);
	expect_walk(_metadata, self, variant->shadow, 0x2000,
		    host_frame(self->ram + 0x2000));

	pt[1] = 0x5000 | 3;		/* remap; the guest INVLPGs next */
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_RUN, 0));
	ASSERT_EQ(HVLAB_EXIT_HLT, self->run->exit_reason);
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(0x55, regs.rax & 0xff);
	expect_walk(_metadata, self, variant->shadow, 0x5000,
		    host_frame(self->ram + 0x5000));
}

/*
 * The same remap to a page drawn at random (HVLAB_LAB_SEED replays it),
 * holding a random byte: the guest reads that byte after its INVLPG, and
 * the walk ends in that page's host frame.
 */
TEST_F(xlate, random_remap_follows_invlpg)
{
	static const unsigned int used[] = { 0x2000, 0x3000, 0x4000, 0x8000 };
	unsigned int seed = hvlab_seed(), state = seed, gpa, i;
	uint32_t *pt = (uint32_t *)(self->ram + 0x4000);
	struct hvlab_regs regs;
	uint8_t byte;

	do {
		gpa = (1 + hvlab_rand(&state) % (RAM / 4096 - 1)) * 4096;
		for (i = 0; i < 4 && used[i] != gpa; i++)
			;
	} while (i < 4);
	byte = 1 + hvlab_rand(&state) % 255;
	TH_LOG("seed %u (HVLAB_LAB_SEED): GVA 0x1000 -> GPA 0x%x holding 0x%02x",
	       seed, gpa, byte);
	self->ram[gpa] = byte;
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_RUN, 0));
	ASSERT_EQ(HVLAB_EXIT_HLT, self->run->exit_reason);
	pt[1] = gpa | 3;
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_RUN, 0));
	ASSERT_EQ(HVLAB_EXIT_HLT, self->run->exit_reason);
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_GET_REGS, &regs));
	EXPECT_EQ(byte, regs.rax & 0xff);
	expect_walk(_metadata, self, variant->shadow, gpa,
		    host_frame(self->ram + gpa));
}

/* An unmapped GVA: the guest's own tables fault, and the walk says where. */
TEST_F(xlate, unmapped_gva_faults_in_guest_tables)
{
	struct hvlab_translation t = { .gva = 0x400000 };

	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_RUN, 0));
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_TRANSLATE, &t));
	EXPECT_EQ(HVLAB_WALK_GUEST_FAULT, t.fault);
	EXPECT_EQ(2, t.fault_level);		/* PDE[1] not present */
}

/*
 * Hostile guest page tables: the guest's PDE for 0x400000 points at GPA
 * 0x7ff00000, outside every memory slot; another PDE has reserved bits set;
 * a third makes a page table point at itself.  Whatever the paging mode,
 * the guest gets an architectural answer (a #PF, which triple-faults this
 * IDT-less guest into a shutdown exit) or hvlab stops the vCPU with a
 * clean exit -- and no host memory is ever read for it.
 */
static int run_hostile(FIXTURE_DATA(xlate) *self, uint32_t pde1, uint32_t va)
{
	uint32_t *pd = (uint32_t *)(self->ram + 0x3000);
	unsigned char *c = self->ram + 0x8000;

	pd[1] = pde1;
	c[0] = 0xa1;			/* mov eax, [va] */
	memcpy(c + 1, &va, 4);
	c[5] = 0xf4;			/* hlt */
	if (ioctl(self->vcpu, HVLAB_RUN, 0))
		return -errno;
	return self->run->exit_reason;
}

TEST_F(xlate, hostile_pde_outside_guest_memory)
{
	int r = run_hostile(self, 0x7ff00000 | 3, 0x400000);

	/* EPT: the CPU's walk hits no slot -> an MMIO-style exit; shadow:
	 * hvlab's walk cannot read the table -> internal error.  Never HLT. */
	EXPECT_TRUE(r == HVLAB_EXIT_MMIO || r == HVLAB_EXIT_INTERNAL_ERROR ||
		    r == HVLAB_EXIT_SHUTDOWN);
	TH_LOG("exit reason %d", r);
}

TEST_F(xlate, hostile_pde_reserved_bits_fault_in_guest)
{
	/* a 4 MiB PDE without CR4.PSE is a pointer; bit 7 with PSE off is
	 * ignored, so use a 4 MiB page with PSE-36 bits beyond MAXPHYADDR */
	struct hvlab_sregs s;
	int r;

	if (hvlab_is_svm())
		SKIP(return, "SVM on Bochs: a guest triple fault resets the emulator");
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_GET_SREGS, &s));
	s.cr4 |= 0x10;			/* CR4.PSE */
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_SET_SREGS, &s));
	/* PS=1, bit 21 is reserved in a 4 MiB PDE (SDM table 4-4) */
	r = run_hostile(self, 0x400000 | (1u << 21) | 0x83, 0x400000);
	/* #PF with RSVD, and with no IDT the guest triple-faults */
	EXPECT_EQ(HVLAB_EXIT_SHUTDOWN, r);
}

TEST_F(xlate, hostile_self_referencing_table)
{
	uint32_t *pt = (uint32_t *)(self->ram + 0x4000);
	struct hvlab_translation t = { .gva = 0x400000 };
	int r;

	/* PDE[1] -> the PT at 0x4000, whose entry 0 points back at 0x4000 */
	pt[0] = 0x4000 | 3;
	r = run_hostile(self, 0x4000 | 3, 0x400000);
	/* the guest reads its own page table as data: allowed, it is RAM */
	EXPECT_EQ(HVLAB_EXIT_HLT, r);
	ASSERT_EQ(0, ioctl(self->vcpu, HVLAB_TRANSLATE, &t));
	EXPECT_EQ(0x4000, t.gpa);
	EXPECT_EQ(HVLAB_WALK_OK, t.fault);
}

TEST_HARNESS_MAIN
