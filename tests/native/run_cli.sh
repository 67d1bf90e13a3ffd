#!/usr/bin/env bash
# run_cli.sh - `hvlab run` as a user meets it on a machine without a VM to
# run: the help text, usage errors, broken images and a missing module each
# give the documented exit status and a message that says what to do.
# (Running guests is the VM suite's job.)  TAP on stdout.
set -u
cd "$(dirname "$0")/../.."
HV=./user/hvlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0

# check NAME EXPECTED_STATUS GREP_PATTERN -- hvlab run ARGS...
check() {
	local name=$1 want=$2 pat=$3
	shift 4
	local out rc
	out=$("$HV" run "$@" 2>&1)
	rc=$?
	n=$((n + 1))
	if [ "$rc" -eq "$want" ] && grep -qE -- "$pat" <<<"$out"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "# wanted status $want and /$pat/, got $rc:"
		sed 's/^/#   /' <<<"$out" | head -5
		fail=1
	fi
}

printf '\xfa\xf4' >"$tmp/hlt.bin"			# cli; hlt
head -c 4096 /dev/urandom >"$tmp/noise.bin"
printf '\x7fELF\x01\x01\x01' >"$tmp/trunc.elf"		# an ELF header cut short
: >"$tmp/empty.bin"

check "help lists the exit statuses" 0 "triple-faulted" -- --help
check "no image is a usage error" 64 "no IMAGE" --
check "unknown option is a usage error" 64 "run --help" -- --bogus x
check "bad -m is a usage error" 64 "not a size" -- -m lots "$tmp/hlt.bin"
check "too small -m is a usage error" 64 "2M to 3G" -- -m 1M "$tmp/hlt.bin"
check "--cpus 9 is a usage error" 64 "1 to 8" -- --cpus 9 "$tmp/hlt.bin"
check "bad --paging is a usage error" 64 "ept" -- --paging nested "$tmp/hlt.bin"
check "bad --net mode is a usage error" 64 "internal:NAME" -- --net wifi "$tmp/hlt.bin"
check "--mac before --net is a usage error" 64 "after the --net" -- --mac 52:54:00:00:00:01 --net nat "$tmp/hlt.bin"
check "a multicast --mac is a usage error" 64 "unicast MAC" -- --net nat --mac 01:00:5e:00:00:01 "$tmp/hlt.bin"
check "two cards with one MAC is a usage error" 64 "one MAC" -- --net nat --mac 52:54:00:00:00:01 --net internal:x --mac 52:54:00:00:00:01 "$tmp/hlt.bin"
check "five --net is a usage error" 64 "at most 4" -- --net nat --net nat --net nat --net nat --net nat "$tmp/hlt.bin"
check "a bad segment name says what a name is" 64 "segment name" -- --net internal:a/b --flat 0x8000 "$tmp/hlt.bin"
check "a bad hostfwd says the syntax" 64 "hostfwd=tcp" -- --net nat,hostfwd=tcp::x-:22 --flat 0x8000 "$tmp/hlt.bin"
check "missing image" 66 "cannot read" -- "$tmp/nonexistent.elf"
check "missing module" 66 "module" -- --module "$tmp/nope" "$tmp/hlt.bin"
check "random bytes are not an image" 65 "--flat ADDR" -- "$tmp/noise.bin"
check "truncated ELF" 65 "trunc.elf: .*ELF" -- "$tmp/trunc.elf"
check "empty image" 65 "empty" -- "$tmp/empty.bin"
check "a dynamic executable is not a kernel" 65 "ET_EXEC|multiboot" -- /bin/true
check "--flat address must be aligned" 65 "16-byte aligned" -- --flat 0x7c01 "$tmp/hlt.bin"
check "--flat address below 1 MiB" 65 "1 MiB" -- --flat 0x100000 "$tmp/hlt.bin"
check "--flat image overlapping page 0" 65 "page 0" -- --flat 0x0 "$tmp/hlt.bin"
check "--flat into the VGA hole" 65 "VGA" -- --flat 0xb8000 "$tmp/hlt.bin"
if [ ! -e /dev/hvlab ]; then
	check "module not loaded says how to load it" 69 "insmod kmod/hvlab.ko" -- --flat 0x8000 "$tmp/hlt.bin"
	./user/hvlab disk create "$tmp/d.vdi" 4M >/dev/null
	check "--disk is opened, then the module is needed" 69 "insmod" -- --disk "$tmp/d.vdi" --flat 0x8000 "$tmp/hlt.bin"
	if [ -f build/guests/hello.elf ]; then
		check "hello.elf loads, then needs the module" 69 "insmod" -- -v build/guests/hello.elf
		truncate -s 2M "$tmp/big.mod"
		check "a module beyond RAM is not enough memory" 65 "not enough memory" -- -m 2M --module "$tmp/big.mod" build/guests/hello.elf
	else
		n=$((n + 1)); fail=1
		echo "not ok $n - hello.elf: build/guests/hello.elf missing (make guests)"
	fi
else
	# these need the module to be absent; with it loaded the VM suite's
	# tests cover the same paths
	for t in "module not loaded" "--disk without the module" "hello.elf without the module"; do
		n=$((n + 1))
		echo "ok $n - $t # SKIP /dev/hvlab exists on this machine: the module is loaded"
	done
fi
echo "1..$n"
exit $fail
