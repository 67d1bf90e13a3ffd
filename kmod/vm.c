// SPDX-License-Identifier: GPL-2.0
/* vm.c - placeholder until the VM object exists. */
#include <linux/errno.h>
#include <linux/mm.h>
#include "hvlab.h"

int hvlab_vm_create(unsigned long flags)
{
	return -ENOSYS;
}

int hvlab_vcpu_mmap_size(void)
{
	return HVLAB_STATS_OFFSET + PAGE_ALIGN(sizeof(struct hvlab_stats));
}
