// SPDX-License-Identifier: GPL-2.0
/*
 * ucall.c - the host side of the ucall protocol (hw/ucall.h): a test guest
 * writes the guest-physical address of a struct ucall to UCALL_PORT with a
 * 32-bit OUT, and this device reads the struct out of guest memory.
 *
 *   UCALL_DONE    stop, exit status 0
 *   UCALL_ASSERT  stop, "guest assertion failed: FILE:LINE: TEXT", status 2
 *   UCALL_SYNC    "ucall sync: ARGS" on stderr with -v; the guest goes on
 *   UCALL_PRINT   TEXT and a newline (unless it ends in one) to the output
 *                 stream; the guest goes on
 *   UCALL_TIMER_TSC  args[0] of the guest's struct := stamp(ctx, vCPU), the
 *                 host TSC of the vCPU's last local APIC timer interrupt
 *                 (ucall_set_stamp; 0 without one); the guest goes on
 *
 * The guest is not trusted: the struct must lie entirely inside one memory
 * slot (gmem_ptr checks), it is copied out before use so a second vCPU
 * cannot change it under us, and the strings are cut at their array size
 * whether or not the guest terminated them.  A bad address or an unknown
 * command stops the run with status 2, like a failed assertion.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "guestmem.h"
#include "hw/devices.h"
#include "hw/ucall.h"

#define UCALL_EXIT_ASSERT	2

struct ucall_dev {
	struct hv_device dev;
	const struct guest_mem *gm;
	hw_stop_fn stop;
	void *ctx;
	FILE *out;
	bool verbose;
	hw_stamp_fn stamp;
	void *stamp_ctx;
};

static void ucall_stop(struct ucall_dev *u, int status, bool quiet, const char *why)
{
	if (u->stop)
		u->stop(u->ctx, status, quiet, why);
}

static void ucall_in(struct hv_device *dev, uint16_t port, void *data, unsigned size)
{
	(void)dev;
	(void)port;
	memset(data, 0, size);
}

/*
 * Write the stamp into args[0] of the struct at GPA.  The struct was
 * checked to lie in guest memory; a second vCPU may be changing it, which
 * harms only that guest's own figure.
 */
static void reply_stamp(struct ucall_dev *u, uint32_t gpa)
{
	uint64_t v = u->stamp ? u->stamp(u->stamp_ctx, hw_current_vcpu()) : 0;
	void *dst = gmem_ptr(u->gm, (uint64_t)gpa + offsetof(struct ucall, args), sizeof(v));

	if (dst)
		memcpy(dst, &v, sizeof(v));
}

static void ucall_out(struct hv_device *dev, uint16_t port, const void *data, unsigned size)
{
	struct ucall_dev *u = dev->priv;
	const void *src;
	struct ucall uc;
	uint32_t gpa = 0;
	char why[UCALL_TEXT_MAX + 160];

	(void)port;
	memcpy(&gpa, data, size > 4 ? 4 : size);
	src = gmem_ptr(u->gm, gpa, sizeof(uc));
	if (!src) {
		snprintf(why, sizeof(why),
			 "ucall: struct ucall at GPA 0x%" PRIx32 " is outside guest memory", gpa);
		ucall_stop(u, UCALL_EXIT_ASSERT, false, why);
		return;
	}
	memcpy(&uc, src, sizeof(uc));
	uc.file[sizeof(uc.file) - 1] = '\0';
	uc.text[sizeof(uc.text) - 1] = '\0';

	switch (uc.cmd) {
	case UCALL_DONE:
		ucall_stop(u, 0, true, "guest reported done (ucall DONE)");
		break;
	case UCALL_ASSERT:
		snprintf(why, sizeof(why), "guest assertion failed: %s:%u: %s",
			 uc.file, uc.line, uc.text);
		ucall_stop(u, UCALL_EXIT_ASSERT, false, why);
		break;
	case UCALL_SYNC:
		if (u->verbose)
			fprintf(stderr, "ucall sync: %#llx %#llx %#llx %#llx\n",
				uc.args[0], uc.args[1], uc.args[2], uc.args[3]);
		break;
	case UCALL_TIMER_TSC:
		reply_stamp(u, gpa);
		break;
	case UCALL_PRINT:
		/* one message per line, as KVM selftests' GUEST_PRINTF */
		fputs(uc.text, u->out);
		if (!uc.text[0] || uc.text[strlen(uc.text) - 1] != '\n')
			fputc('\n', u->out);
		fflush(u->out);
		break;
	default:
		snprintf(why, sizeof(why), "ucall: unknown command %llu from the guest", uc.cmd);
		ucall_stop(u, UCALL_EXIT_ASSERT, false, why);
	}
}

void ucall_set_stamp(struct hv_device *dev, hw_stamp_fn stamp, void *ctx)
{
	struct ucall_dev *u = dev->priv;

	u->stamp = stamp;
	u->stamp_ctx = ctx;
}

static void ucall_destroy(struct hv_device *dev)
{
	free(dev->priv);
}

static const struct hv_device_ops ucall_ops = {
	.pio_in = ucall_in,
	.pio_out = ucall_out,
	.destroy = ucall_destroy,
};

struct hv_device *ucall_attach(struct bus *bus, const struct guest_mem *gm,
			       hw_stop_fn stop, void *ctx, FILE *out, bool verbose)
{
	struct ucall_dev *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->dev = (struct hv_device){ .name = "ucall", .ops = &ucall_ops, .priv = u };
	u->gm = gm;
	u->stop = stop;
	u->ctx = ctx;
	u->out = out ? out : stdout;
	u->verbose = verbose;
	if (bus_register_pio(bus, UCALL_PORT, 4, &u->dev)) {
		free(u);
		return NULL;
	}
	return &u->dev;
}
