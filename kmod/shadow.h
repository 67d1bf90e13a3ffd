/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadow.h - the shadow-paging backend's own interface, between shadow.c
 * and rmode.c (real mode in vm86, which only a VM without EPT needs).
 * Everyone else reaches them through hv_shadow_paging (vm.h), never
 * through these names: tests/native/paging_split.sh checks that no other
 * object of the module refers to them.
 */
#ifndef HVLAB_SHADOW_H
#define HVLAB_SHADOW_H

#include "vm.h"

/* shadow.c */
int hv_shadow_reset(struct hv_vcpu *vcpu);
int hv_shadow_set_cr3(struct hv_vcpu *vcpu, u64 cr3);
int hv_shadow_page_fault(struct hv_vcpu *vcpu, u64 gva, u32 error_code);
void hv_shadow_invlpg(struct hv_vcpu *vcpu, u64 gva);
void hv_shadow_resolve_writes(struct hv_vcpu *vcpu);
int hv_shadow_map_own(struct hv_vcpu *vcpu, u64 gva, u64 hpa);

/* rmode.c */
int hv_rmode_init(struct hv_vcpu *vcpu);
void hv_rmode_free(struct hv_vcpu *vcpu);
void hv_rmode_switch(struct hv_vcpu *vcpu, bool real_mode);
const char *hv_rmode_unfit(struct hv_vcpu *vcpu);
unsigned long hv_rmode_guest_rflags(struct hv_vcpu *vcpu, unsigned long real);
unsigned long hv_rmode_real_rflags(struct hv_vcpu *vcpu, unsigned long val);
void hv_rmode_interrupt(struct hv_vcpu *vcpu, u8 vector,
			unsigned int ip_advance);
int hv_rmode_exception(struct hv_vcpu *vcpu, u32 info);

#endif
