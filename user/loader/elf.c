// SPDX-License-Identifier: GPL-2.0
/*
 * elf.c - loading a multiboot kernel from an ELF32 or ELF64 executable
 * with libelf's class-independent gelf_* interface.
 *
 * What is accepted: little-endian, ET_EXEC, machine EM_386 or EM_X86_64
 * in either class (an ELF32 file may carry 64-bit code: the usual way to
 * make a long-mode kernel multiboot-bootable is objcopy -O elf32-i386),
 * and a valid multiboot header in the first 8 KiB.
 *
 * Loading follows the program headers, not the sections: every PT_LOAD
 * segment's p_filesz bytes from p_offset are copied to its physical
 * address p_paddr (multiboot loads physically; a higher-half kernel has
 * p_vaddr != p_paddr), and the rest up to p_memsz is zeroed (the BSS).
 * The entry point e_entry is a virtual address: it is translated through
 * the segment that contains it.
 *
 * Every segment is checked before any byte is copied: p_filesz <= p_memsz,
 * the file part inside the file, the memory part inside RAM and clear of
 * reserved memory (loader_check_range).  libelf checks the ELF structure
 * itself (header sizes, the program header table inside the file).
 */
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

#include "guestmem.h"
#include "loader/loader.h"

#define ELF_MAX_SEGMENTS 64

bool elf_is_elf(const void *buf, size_t len)
{
	return len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG);
}

static int check_header(Elf *e, const GElf_Ehdr *eh, size_t len, char *err, size_t errlen)
{
	int cls = gelf_getclass(e);
	uint64_t entsize = cls == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

	if (cls != ELFCLASS32 && cls != ELFCLASS64)
		return loader_error(err, errlen, "unknown ELF class %d", cls);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return loader_error(err, errlen, "ELF file is not little-endian");
	if (eh->e_machine != EM_386 && eh->e_machine != EM_X86_64)
		return loader_error(err, errlen, "ELF machine %u is not x86 (EM_386 or EM_X86_64)",
				    eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return loader_error(err, errlen,
				    "ELF type %u is not an executable (ET_EXEC); link with -static and without -pie",
				    eh->e_type);
	if (eh->e_phnum == 0)
		return loader_error(err, errlen, "ELF file has no program headers");
	if (eh->e_phentsize != entsize)
		return loader_error(err, errlen, "ELF program header size %u, expected %llu",
				    eh->e_phentsize, (unsigned long long)entsize);
	if (eh->e_phoff > len || (uint64_t)eh->e_phnum * entsize > len - eh->e_phoff)
		return loader_error(err, errlen,
				    "ELF program headers (offset 0x%llx, %u entries) lie outside the file (%zu bytes)",
				    (unsigned long long)eh->e_phoff, eh->e_phnum, len);
	return 0;
}

int elf_load(struct guest_mem *gm, const void *buf, size_t len, struct boot_image *img,
	     char *err, size_t errlen)
{
	GElf_Phdr ph[ELF_MAX_SEGMENTS];
	struct multiboot_header mbh;
	uint64_t ram = gmem_ram_size(gm), lo = ~0ull, hi = 0, entry = 0;
	bool entry_found = false;
	unsigned nload = 0;
	size_t phnum;
	GElf_Ehdr eh;
	Elf *e;
	int ret = -1;

	if (!elf_is_elf(buf, len))
		return loader_error(err, errlen, "not an ELF file (bad magic)");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return loader_error(err, errlen, "libelf is too old");
	/* elf_memory wants a non-const pointer; with ELF_C_READ it never writes */
	e = elf_memory((char *)buf, len);
	if (!e)
		return loader_error(err, errlen, "malformed ELF file: %s", elf_errmsg(-1));
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		loader_error(err, errlen, "malformed ELF file (truncated header?): %s",
			     elf_errmsg(-1));
		goto out;
	}
	if (check_header(e, &eh, len, err, errlen))
		goto out;
	if (elf_getphdrnum(e, &phnum) || phnum > ELF_MAX_SEGMENTS) {
		loader_error(err, errlen, "ELF file has an unusable number of program headers");
		goto out;
	}
	if (multiboot_find_header(buf, len, &mbh) < 0) {
		loader_error(err, errlen,
			     "no multiboot header (magic 0x1BADB002 with a valid checksum) in the first 8 KiB; hvlab boots multiboot-1 kernels, or raw binaries with --flat ADDR");
		goto out;
	}
	if (mbh.flags & 0xFFF8u) {
		loader_error(err, errlen, "multiboot header requires features hvlab lacks (flags 0x%x)",
			     mbh.flags);
		goto out;
	}

	/* pass 1: validate every loadable segment */
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr *p = &ph[i];
		char what[48];

		if (!gelf_getphdr(e, (int)i, p)) {
			loader_error(err, errlen, "cannot read program header %zu: %s", i,
				     elf_errmsg(-1));
			goto out;
		}
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		if (p->p_filesz > p->p_memsz) {
			loader_error(err, errlen, "segment %zu: file size 0x%llx exceeds memory size 0x%llx",
				     i, (unsigned long long)p->p_filesz,
				     (unsigned long long)p->p_memsz);
			goto out;
		}
		if (p->p_offset > len || p->p_filesz > len - p->p_offset) {
			loader_error(err, errlen,
				     "segment %zu: file bytes 0x%llx+0x%llx lie outside the file (%zu bytes): truncated?",
				     i, (unsigned long long)p->p_offset,
				     (unsigned long long)p->p_filesz, len);
			goto out;
		}
		snprintf(what, sizeof(what), "segment %zu", i);
		if (loader_check_range(ram, p->p_paddr, p->p_memsz, true, what, err, errlen))
			goto out;
		if (p->p_paddr < lo)
			lo = p->p_paddr;
		if (p->p_paddr + p->p_memsz > hi)
			hi = p->p_paddr + p->p_memsz;
		if (!entry_found && eh.e_entry >= p->p_vaddr && eh.e_entry - p->p_vaddr < p->p_memsz) {
			entry = p->p_paddr + (eh.e_entry - p->p_vaddr);
			entry_found = true;
		}
		nload++;
	}
	if (!nload) {
		loader_error(err, errlen, "ELF file has no loadable (PT_LOAD) segments");
		goto out;
	}
	if (!entry_found) {
		loader_error(err, errlen, "entry point 0x%llx is not inside any loadable segment",
			     (unsigned long long)eh.e_entry);
		goto out;
	}

	/* pass 2: copy the file bytes and zero the BSS */
	for (size_t i = 0; i < phnum; i++) {
		const GElf_Phdr *p = &ph[i];
		uint8_t *dst;

		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		dst = gmem_ptr(gm, p->p_paddr, p->p_memsz);
		if (!dst) {
			loader_error(err, errlen, "segment %zu is not inside one memory slot", i);
			goto out;
		}
		memcpy(dst, (const uint8_t *)buf + p->p_offset, p->p_filesz);
		memset(dst + p->p_filesz, 0, p->p_memsz - p->p_filesz);
	}
	memset(img, 0, sizeof(*img));
	img->entry = entry;
	img->lo = lo;
	img->hi = hi;
	img->elf = true;
	img->elf64 = gelf_getclass(e) == ELFCLASS64;
	img->mb_flags = mbh.flags;
	ret = 0;
out:
	elf_end(e);
	return ret;
}
