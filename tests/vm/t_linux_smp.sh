#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# t_linux_smp.sh - Debian's vmlinuz boots inside hvlab: ept paging, 2 vCPU(s) (linux-boot.sh).
exec /tests/vm/linux-boot.sh ept 2
