/* SPDX-License-Identifier: GPL-2.0 */
/*
 * e1000_regs.h - the register map of the Intel 82540EM Gigabit Ethernet
 * controller that e1000.c models: byte offsets in BAR 0 (Intel's "PCI/PCI-X
 * Family of Gigabit Ethernet Controllers Software Developer's Manual",
 * 8254x SDM, chapter 13), the bits hvlab's model gives meaning to, the
 * descriptor layouts (chapter 3) and the EEPROM and PHY words the Linux
 * e1000 driver reads at probe.
 */
#ifndef HVLAB_HW_E1000_REGS_H
#define HVLAB_HW_E1000_REGS_H

#define E1000_VENDOR		0x8086
#define E1000_DEV_82540EM	0x100e
#define E1000_MMIO_SIZE		0x20000		/* BAR 0: 128 KiB */
#define E1000_IO_SIZE		0x40		/* BAR 1: IOADDR, IODATA */
#define E1000_IOADDR		0x00
#define E1000_IODATA		0x04

/* ---- registers (8254x SDM 13.3) ------------------------------------ */
#define E1000_CTRL		0x00000
#define E1000_STATUS		0x00008
#define E1000_EECD		0x00010
#define E1000_EERD		0x00014
#define E1000_CTRL_EXT		0x00018
#define E1000_MDIC		0x00020
#define E1000_ICR		0x000c0
#define E1000_ITR		0x000c4
#define E1000_ICS		0x000c8
#define E1000_IMS		0x000d0
#define E1000_IMC		0x000d8
#define E1000_RCTL		0x00100
#define E1000_TCTL		0x00400
#define E1000_PBA		0x01000
#define E1000_RDBAL		0x02800
#define E1000_RDBAH		0x02804
#define E1000_RDLEN		0x02808
#define E1000_RDH		0x02810
#define E1000_RDT		0x02818
#define E1000_TDBAL		0x03800
#define E1000_TDBAH		0x03804
#define E1000_TDLEN		0x03808
#define E1000_TDH		0x03810
#define E1000_TDT		0x03818
#define E1000_STATS		0x04000		/* .. 0x040ff: counters, read-to-clear */
#define E1000_STATS_END		0x04100
#define E1000_MTA		0x05200		/* 128 x 32 bits: the multicast hash table */
#define E1000_RA		0x05400		/* 16 x (RAL, RAH) */
#define E1000_RA_COUNT		16
#define E1000_VFTA		0x05600

/* statistics the model counts (32 bits each; the L and H pairs form 64) */
#define E1000_MPC		0x04010		/* missed: no descriptor */
#define E1000_GPRC		0x04074
#define E1000_BPRC		0x04078
#define E1000_MPRC		0x0407c
#define E1000_GPTC		0x04080
#define E1000_GORCL		0x04088
#define E1000_GOTCL		0x04090
#define E1000_RNBC		0x040a0		/* receive: no buffers */
#define E1000_TORL		0x040c0
#define E1000_TOTL		0x040c8
#define E1000_TPR		0x040d0
#define E1000_TPT		0x040d4
#define E1000_MPTC		0x040f0
#define E1000_BPTC		0x040f4

/* CTRL */
#define E1000_CTRL_SLU		(1u << 6)
#define E1000_CTRL_RST		(1u << 26)
#define E1000_CTRL_PHY_RST	(1u << 31)
/* STATUS */
#define E1000_STATUS_FD		(1u << 0)
#define E1000_STATUS_LU		(1u << 1)
#define E1000_STATUS_SPEED_1000	(1u << 7)
/* EECD: the Microwire EEPROM's pins, and the software grant */
#define E1000_EECD_SK		(1u << 0)
#define E1000_EECD_CS		(1u << 1)
#define E1000_EECD_DI		(1u << 2)
#define E1000_EECD_DO		(1u << 3)
#define E1000_EECD_REQ		(1u << 6)
#define E1000_EECD_GNT		(1u << 7)
#define E1000_EECD_PRES		(1u << 8)
/* EERD */
#define E1000_EERD_START	(1u << 0)
#define E1000_EERD_DONE		(1u << 4)
#define E1000_EERD_ADDR_SHIFT	8
#define E1000_EERD_DATA_SHIFT	16
/* MDIC */
#define E1000_MDIC_REG_SHIFT	16
#define E1000_MDIC_PHY_SHIFT	21
#define E1000_MDIC_OP_WRITE	(1u << 26)
#define E1000_MDIC_OP_READ	(2u << 26)
#define E1000_MDIC_READY	(1u << 28)
#define E1000_MDIC_ERROR	(1u << 30)
/* interrupt causes: ICR, ICS, IMS, IMC */
#define E1000_ICR_TXDW		(1u << 0)
#define E1000_ICR_TXQE		(1u << 1)
#define E1000_ICR_LSC		(1u << 2)
#define E1000_ICR_RXDMT0	(1u << 4)
#define E1000_ICR_RXO		(1u << 6)
#define E1000_ICR_RXT0		(1u << 7)
#define E1000_ICR_MDAC		(1u << 9)
/* RCTL */
#define E1000_RCTL_EN		(1u << 1)
#define E1000_RCTL_UPE		(1u << 3)
#define E1000_RCTL_MPE		(1u << 4)
#define E1000_RCTL_LBM		(3u << 6)
#define E1000_RCTL_RDMTS_SHIFT	8
#define E1000_RCTL_MO_SHIFT	12
#define E1000_RCTL_BAM		(1u << 15)
#define E1000_RCTL_BSIZE_SHIFT	16
#define E1000_RCTL_BSEX		(1u << 25)
#define E1000_RCTL_SECRC	(1u << 26)
/* TCTL */
#define E1000_TCTL_EN		(1u << 1)
/* RAH */
#define E1000_RAH_AV		(1u << 31)

/* ---- descriptors (8254x SDM 3.2, 3.3), 16 bytes each ---------------- */
#define E1000_DESC_SIZE		16
/* receive: addr 0-7, length 8-9, csum 10-11, status 12, errors 13, special 14-15 */
#define E1000_RXD_STAT_DD	0x01
#define E1000_RXD_STAT_EOP	0x02
#define E1000_RXD_STAT_IXSM	0x04	/* "ignore checksum indication" */
/*
 * transmit, legacy: addr 0-7, length 8-9, cso 10, cmd 11, status 12,
 * css 13, special 14-15.  Extended (cmd.DEXT): dword 2 is length 19:0,
 * DTYP 23:20, DCMD 31:24; byte 12 status, 13 POPTS (data) or header
 * length (context), 14-15 special or MSS.
 */
#define E1000_TXD_CMD_EOP	0x01
#define E1000_TXD_CMD_IFCS	0x02
#define E1000_TXD_CMD_TSE	0x04	/* extended descriptors only */
#define E1000_TXD_CMD_RS	0x08
#define E1000_TXD_CMD_DEXT	0x20
#define E1000_TXD_STAT_DD	0x01
#define E1000_TXD_DTYP_CTX	0x0
#define E1000_TXD_DTYP_DATA	0x1
#define E1000_TXD_POPTS_IXSM	0x01	/* insert the IP checksum */
#define E1000_TXD_POPTS_TXSM	0x02	/* insert the TCP/UDP checksum */
/* context descriptor TUCMD bits (DCMD of a context) */
#define E1000_TXD_TUCMD_TCP	0x01
#define E1000_TXD_TUCMD_IP	0x02	/* IPv4 (else IPv6) */

/* ---- EEPROM (64 words, Microwire) and PHY (Marvell 88E1011) ---------- */
#define E1000_EEPROM_WORDS	64
#define E1000_EEPROM_CHECKSUM	0x3f	/* word that makes the sum 0xBABA */
#define E1000_EEPROM_SUM	0xbaba
#define E1000_EE_OPCODE_READ	0x6	/* Microwire: 1, 1, 0 */
#define E1000_EE_ADDR_BITS	6

#define E1000_PHY_ADDR		1	/* the only PHY on the MDIO bus */
#define PHY_CTRL		0x00
#define PHY_STATUS		0x01
#define PHY_ID1			0x02
#define PHY_ID2			0x03
#define PHY_AUTONEG_ADV		0x04
#define PHY_LP_ABILITY		0x05
#define PHY_AUTONEG_EXP		0x06
#define PHY_1000T_CTRL		0x09
#define PHY_1000T_STATUS	0x0a
#define PHY_EXT_STATUS		0x0f
#define M88_PHY_SPEC_CTRL	0x10
#define M88_PHY_SPEC_STATUS	0x11
#define MII_CR_RESTART_AN	(1u << 9)
#define MII_CR_RESET		(1u << 15)
#define MII_SR_LINK		(1u << 2)
#define MII_SR_AN_COMPLETE	(1u << 5)

#endif
