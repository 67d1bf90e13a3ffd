/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode.h - VM exits in words: "MOV to CR3 ← 0x5000", "OUT 0x3f8 ← 'H'",
 * "EPT violation GPA 0xfee00300 write", "CPUID leaf 0x1".
 *
 * The exit qualification is decoded as SDM Vol. 3 27.2.1 lays it out
 * (Tables 27-3 CR access, 27-4 MOV DR, 27-5 I/O, 27-7 EPT violation);
 * `info` and `value` follow the conventions written above struct
 * hvlab_exit_record in the uapi header.  Output is UTF-8 (the arrows);
 * every function is pure and never writes past `len`.
 */
#ifndef HVLAB_DASH_DECODE_H
#define HVLAB_DASH_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/hvlab.h>

/* Control-register access qualification, SDM Table 27-3. */
#define CR_ACCESS_MOV_TO	0
#define CR_ACCESS_MOV_FROM	1
#define CR_ACCESS_CLTS		2
#define CR_ACCESS_LMSW		3
struct cr_qual {
	unsigned cr;		/* bits 3:0 */
	unsigned type;		/* bits 5:4, CR_ACCESS_* */
	bool lmsw_mem;		/* bit 6: LMSW operand is in memory */
	unsigned gpr;		/* bits 11:8, 0 = RAX ... 15 = R15 */
	uint16_t lmsw_data;	/* bits 31:16 */
};

/* I/O instruction qualification, SDM Table 27-5. */
struct io_qual {
	unsigned size;		/* bits 2:0 + 1: 1, 2 or 4 bytes */
	bool in;		/* bit 3 */
	bool string;		/* bit 4: INS/OUTS */
	bool rep;		/* bit 5 */
	bool imm;		/* bit 6: port in an immediate, not DX */
	uint16_t port;		/* bits 31:16 */
};

/* EPT violation qualification, SDM Table 27-7. */
struct ept_qual {
	bool read, write, fetch;	/* bits 0-2: the access that faulted */
	bool ent_r, ent_w, ent_x;	/* bits 3-5: what the EPT entry allows */
	bool gla_valid;			/* bit 7: guest-linear address valid */
	bool translated;		/* bit 8: access to the final page, not a table */
	bool nmi_unblocking;		/* bit 12 */
};

/* AMD SVM: EXITINFO1 of VMEXIT_IOIO, APM Vol. 2 15.10.2 (Figure 15-2). */
struct svm_io_info {
	bool in;		/* bit 0: TYPE, 1 = IN */
	bool string;		/* bit 2: INS/OUTS */
	bool rep;		/* bit 3: REP prefix */
	unsigned size;		/* bits 6:4 SZ8/SZ16/SZ32: 1, 2 or 4 bytes (0: none set) */
	unsigned addr_bits;	/* bits 9:7 A16/A32/A64: 16, 32 or 64 (string ops) */
	unsigned seg;		/* bits 12:10: the segment of a string op (0 ES .. 5 GS) */
	uint16_t port;		/* bits 31:16 */
};

/*
 * AMD SVM: EXITINFO1 of VMEXIT_NPF, APM Vol. 2 15.25.6: a #PF-style error
 * code (bits 0-4) and which access of the nested walk faulted (32, 33).
 */
struct svm_npf_info {
	bool present;		/* bit 0: the nested entry was present (a protection fault) */
	bool write;		/* bit 1 */
	bool user;		/* bit 2: always set (NPT walks are user accesses) */
	bool reserved;		/* bit 3: a reserved bit set in a nested entry */
	bool fetch;		/* bit 4: instruction fetch */
	bool final;		/* bit 32: the access to the final guest-physical address */
	bool table;		/* bit 33: the access to a guest page table */
};

void decode_svm_io(uint64_t exitinfo1, struct svm_io_info *out);
void decode_svm_npf(uint64_t exitinfo1, struct svm_npf_info *out);

void decode_cr_qual(uint64_t q, struct cr_qual *out);
void decode_io_qual(uint64_t q, struct io_qual *out);
void decode_ept_qual(uint64_t q, struct ept_qual *out);

/* "CR_ACCESS", "IO_INSTRUCTION", ... as KVM names them; "reason_N" if unknown. */
const char *decode_reason_name(unsigned reason);
/* Parses a name (case-insensitive, as above) or a number; -1 if neither. */
int decode_reason_parse(const char *s);
/* "rax" .. "r15". */
const char *decode_gpr_name(unsigned n);
/* "IA32_TIME_STAMP_COUNTER", ... or NULL. */
const char *decode_msr_name(uint32_t index);

/* One line in words; returns the length written (truncated to fit). */
size_t decode_exit(const struct hvlab_exit_record *e, char *buf, size_t len);
/*
 * The qualification field by field, one short line per field, for the
 * detail view of the exit log; returns the number of lines filled.
 */
int decode_exit_fields(const struct hvlab_exit_record *e, char lines[][96], int max);

/*
 * The same for a record of either vendor (TRACE_VENDOR_*): on AMD the
 * reason is the SVM EXITCODE, qualification EXITINFO1 and gpa EXITINFO2,
 * and the sentence begins with the APM's name ("VMEXIT_IOIO: OUT 0x3f8").
 */
size_t decode_exit_vendor(unsigned vendor, const struct hvlab_exit_record *e, char *buf,
			  size_t len);
int decode_exit_fields_vendor(unsigned vendor, const struct hvlab_exit_record *e,
			      char lines[][96], int max);
/*
 * The common reason of a record: the VMX basic reason (Intel), or the one
 * an SVM exit corresponds to (svm_exit_common); -1 if there is none.
 */
int decode_common_reason(unsigned vendor, const struct hvlab_exit_record *e);
/*
 * The name a list shows: "CPUID" on Intel, "VMEXIT_CPUID" on AMD (the common
 * name beside it is decode_reason_name of decode_common_reason).
 */
const char *decode_record_name(unsigned vendor, const struct hvlab_exit_record *e);

/* Flags of a paging-structure entry, e.g. "P RW US A NX" (SDM 4.5). */
size_t decode_pte_flags(uint64_t entry, bool leaf_ok, char *buf, size_t len);
/* Flags of an EPT entry, e.g. "R W X WB" (SDM 29.3.2). */
size_t decode_ept_flags(uint64_t entry, char *buf, size_t len);

#endif
