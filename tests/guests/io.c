// SPDX-License-Identifier: GPL-2.0
/*
 * io - proves port I/O exits of every size and direction reach the
 * userspace devices, and that string I/O works:
 *  - word OUT + byte IN: fw_cfg (selector 0x510, data 0x511) reads the
 *    signature "QEMU" (selector 0) and the CPU count (selector 5, 16-bit
 *    little-endian: 1 here);
 *  - dword OUT + dword IN, word IN: PCI configuration mechanism #1
 *    (0xCF8/0xCFC) for bus 0, device 31, function 0, where no device is:
 *    the vendor ID reads all-ones;
 *  - byte OUT and REP OUTSB: a line to the UART (0x3F8), the second one
 *    as one string instruction: "io: rep outsb to the UART".
 */
#include "guest.h"

#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511
#define PCI_ADDR	0xcf8
#define PCI_DATA	0xcfc

void guest_main(void)
{
	static const char line[] = "io: rep outsb to the UART\n";
	char sig[5];
	uint16_t ncpus;
	uint32_t v;

	outw(FW_CFG_SEL, 0x0000);		/* FW_CFG_SIGNATURE */
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(FW_CFG_DATA);
	sig[4] = 0;
	GUEST_PRINTF("fw_cfg signature: %s", sig);
	GUEST_ASSERT(!memcmp(sig, "QEMU", 4));
	outw(FW_CFG_SEL, 0x0005);		/* FW_CFG_NB_CPUS */
	ncpus = inb(FW_CFG_DATA);
	ncpus |= (uint16_t)inb(FW_CFG_DATA) << 8;
	GUEST_ASSERT_EQ(ncpus, 1);

	outl(PCI_ADDR, 0x80000000u | (31u << 11));	/* enable, 0:31.0, reg 0 */
	v = inl(PCI_DATA);
	GUEST_PRINTF("pci 00:1f.0 id: 0x%08x", v);
	GUEST_ASSERT_EQ(v, 0xffffffff);
	GUEST_ASSERT_EQ(inw(PCI_DATA), 0xffff);

	uart_putc('i');				/* byte OUTs */
	uart_putc('o');
	uart_putc('\n');
	outsb(UART_PORT, line, sizeof(line) - 1);
	GUEST_DONE();
}
