/* SPDX-License-Identifier: GPL-2.0 */
/*
 * devices.h - the device models of hw/, one file each, and what the board
 * set-up (vm.c: board_setup) needs to create them.
 *
 * Every model follows the same pattern: NAME_attach(bus, ...) allocates the
 * device, registers its port/MMIO ranges on the bus and returns it (NULL on
 * failure, with nothing left registered).  The bus owns it from then on and
 * frees it in bus_free().  The few getters below exist for tests and the
 * dashboard; the guest only ever sees the devices through the bus.
 *
 * A device that ends the run (debug-exit, ucall) does so through an
 * hw_stop_fn: the run loop records the exit status and stops every vCPU.
 */
#ifndef HVLAB_HW_DEVICES_H
#define HVLAB_HW_DEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/bus.h"

struct guest_mem;
struct irq_line;	/* hw/irq.h; a device copies it, NULL or .set = NULL: not connected */

/*
 * Ask the VM to stop with process exit `status`; `why` is one line for the
 * user, printed always, or only with -v when `quiet` is set.
 */
typedef void (*hw_stop_fn)(void *ctx, int status, bool quiet, const char *why);

/*
 * The vCPU the calling thread runs (thread-local, set by each vCPU thread):
 * the local APIC answers its ID register with it, observers may log it.
 */
void hw_set_current_vcpu(int id);
int hw_current_vcpu(void);

/*
 * uart16550.c: a 16550A UART; transmitted bytes go to `out`, its interrupt
 * to `line` (gated by MCR.OUT2).  uart16550_input() puts host bytes in the
 * receive FIFO (16 bytes) and returns how many it took; the rest are
 * dropped and LSR.OE set, as a full FIFO does.
 */
typedef void (*uart_output_fn)(void *ctx, uint8_t byte);
#define UART_COM1_BASE	0x3F8
struct hv_device *uart16550_attach(struct bus *bus, uint16_t base, const struct irq_line *line,
				   uart_output_fn out, void *ctx);
size_t uart16550_input(struct hv_device *dev, const uint8_t *buf, size_t n);

/* pit8254.c: the 8254 PIT at 0x40-0x43 (channel 0 -> `line`) and port 0x61. */
#define PIT_HZ		1193182
struct hv_device *pit8254_attach(struct bus *bus, const struct irq_line *line);

/* rtc_cmos.c: the MC146818 RTC and CMOS RAM at 0x70/0x71; NVRAM sizes from ram_size. */
struct hv_device *rtc_cmos_attach(struct bus *bus, const struct irq_line *line, uint64_t ram_size);

/*
 * i8042.c: the PS/2 controller at 0x60/0x64, a keyboard that never types
 * (its bytes raise `kbd_line`); a reset through it calls reset(ctx, status).
 */
struct hv_device *i8042_attach(struct bus *bus, const struct irq_line *kbd_line,
			       hw_stop_fn reset, void *ctx, int status);

/* reset.c: 0xCF9; writing bit 2 calls reset(ctx, status). */
struct hv_device *reset_cf9_attach(struct bus *bus, hw_stop_fn reset, void *ctx, int status);

/*
 * acpi_pm.c: ACPI PM1a event/control and PM timer at ACPI_PM_BASE (board.h);
 * SLP_EN with SLP_TYP S5 calls poweroff(ctx, status).  `sci` is never raised.
 */
struct hv_device *acpi_pm_attach(struct bus *bus, const struct irq_line *sci,
				 hw_stop_fn poweroff, void *ctx, int status);

/* debugexit.c: QEMU's isa-debug-exit; writing v stops with (v << 1) | 1. */
#define DEBUGEXIT_PORT	0xF4
struct hv_device *debugexit_attach(struct bus *bus, uint16_t port, hw_stop_fn stop, void *ctx);
static inline int debugexit_status(uint32_t v)
{
	return (int)((v << 1) | 1);
}

/* fwcfg.c: QEMU-compatible fw_cfg (selector 0x510, data 0x511). */
#define FWCFG_PORT_SEL		0x510
#define FWCFG_PORT_DATA		0x511
#define FWCFG_SIGNATURE		0x00	/* "QEMU" */
#define FWCFG_ID		0x01	/* u32 1: traditional interface only */
#define FWCFG_RAM_SIZE		0x03	/* u64 bytes */
#define FWCFG_NB_CPUS		0x05	/* u16 */
#define FWCFG_MAX_CPUS		0x0f	/* u16 */
#define FWCFG_CMDLINE_SIZE	0x14	/* u32, bytes including the NUL */
#define FWCFG_CMDLINE_DATA	0x15	/* the command line, NUL-terminated */
#define FWCFG_HVLAB_SIGNATURE	0x8000	/* "HVLAB\0\0\0": tells hvlab from QEMU */
struct hv_device *fwcfg_attach(struct bus *bus, unsigned ncpus, uint64_t ram_size,
			       const char *cmdline);

/* pci.c: the PCI host bridge, configuration mechanism #1 at 0xCF8/0xCFC: hw/pci.h. */

/* The interrupt controllers (pic8259.c, ioapic.c, lapic.c, irqchip.c): hw/irq.h. */

/* port80.c: the POST-code port, accepted and ignored (the last value kept). */
struct hv_device *port80_attach(struct bus *bus);
uint8_t port80_last(const struct hv_device *dev);

/* ucall.c: the host side of hw/ucall.h; messages and PRINT text go to `out`. */
struct hv_device *ucall_attach(struct bus *bus, const struct guest_mem *gm,
			       hw_stop_fn stop, void *ctx, FILE *out, bool verbose);
/* What UCALL_TIMER_TSC answers: the host TSC of CPU's last timer interrupt. */
typedef uint64_t (*hw_stamp_fn)(void *ctx, int cpu);
void ucall_set_stamp(struct hv_device *dev, hw_stamp_fn stamp, void *ctx);

#endif
