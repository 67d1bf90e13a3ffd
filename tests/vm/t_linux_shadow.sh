#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# t_linux_shadow.sh - Debian's vmlinuz boots inside hvlab: shadow paging, 1 vCPU(s) (linux-boot.sh).
exec /tests/vm/linux-boot.sh shadow 1
