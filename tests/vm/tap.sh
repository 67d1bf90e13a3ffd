# SPDX-License-Identifier: GPL-2.0
# tap.sh - sourced by the t_*.sh scripts of the VM suite (POSIX sh): their
# TAP lines.  `ok STATUS DESCRIPTION` prints the next numbered result,
# "ok" when STATUS is 0, and remembers a failure in $fail for the exit.
n=0
fail=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}
