#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh - `make install` / `make uninstall` into a temporary DESTDIR,
# and the documentation checked against the code so they cannot drift:
#   - user/hvlab, the man pages and the bash completion land where
#     PREFIX says; `man -M` finds each page by name;
#   - every page renders without a groff warning (groff -ww);
#   - the completion loads in a plain bash, completes `hvlab r<TAB>` to
#     run and replay;
#   - every long option that `hvlab SUB --help` (and `hvlab disk CMD
#     --help`) prints is offered by the completion after `--` and appears
#     in that command's man page;
#   - the drift check itself catches an option missing from a copy of the
#     completion and from a copy of a man page;
#   - `make uninstall` leaves no file behind.
# TAP on stdout; each command runs under a time limit.
set -u
cd "$(dirname "$0")/../.."
TOP=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
T=60	# seconds any single step may take

result() {	# result STATUS DESCRIPTION [DETAILS...]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		shift 2
		[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /' | head -n 20
		fail=1
	fi
}

HV=$TOP/user/hvlab
DEST=$tmp/dest
PREFIX=/usr/local
BIN=$DEST$PREFIX/bin
MAN=$DEST$PREFIX/share/man
COMP=$DEST$PREFIX/share/bash-completion/completions/hvlab
PAGES="hvlab hvlab-caps hvlab-run hvlab-disk hvlab-replay hvlab-top"
SUBS="caps run disk replay top"
DISK_CMDS="create info check convert snapshot commit clone resize"

if ! out=$(timeout 300 make -s install DESTDIR="$DEST" PREFIX=$PREFIX 2>&1); then
	result 1 "make install DESTDIR=... PREFIX=$PREFIX" "$out"
	echo "1..$n"
	exit 1
fi
missing=()
[ -x "$BIN/hvlab" ] || missing+=("$BIN/hvlab")
[ -f "$COMP" ] || missing+=("$COMP")
for p in $PAGES; do
	[ -f "$MAN/man1/$p.1" ] || missing+=("$MAN/man1/$p.1")
done
result ${#missing[@]} "make install puts hvlab, 6 man pages and the completion under DESTDIR$PREFIX" "${missing[@]}"

# the installed binary is the built one, and runs
cmp -s "$HV" "$BIN/hvlab" && timeout $T "$BIN/hvlab" --version | grep -q '^hvlab '
result $? "the installed hvlab is user/hvlab and runs"

# man finds each page by name in the installed tree, and groff -ww is silent
bad=()
for p in $PAGES; do
	f=$(MANPATH='' timeout $T man -M "$MAN" -w "$p" 2>&1)
	[ "$f" = "$MAN/man1/$p.1" ] || bad+=("man -w $p: $f")
	w=$(timeout $T groff -ww -man -z "$MAN/man1/$p.1" 2>&1)
	[ -z "$w" ] || bad+=("$p.1: $w")
	w=$(MANWIDTH=80 timeout $T man -l "$MAN/man1/$p.1" 2>&1 >/dev/null)
	[ -z "$w" ] || bad+=("man -l $p.1: $w")
done
result ${#bad[@]} "every page is found by 'man -M' and renders without warnings (groff -ww, man -l)" "${bad[@]}"

# complete FILE WORD...: what the completion offers for the command line
# "WORD... <TAB>" (the last WORD is the one being completed), one a line.
complete_line() {
	local file=$1
	shift
	timeout $T bash --norc --noprofile -c '
		source "$1" || exit 1
		shift
		fn=$(complete -p hvlab 2>/dev/null | sed -n "s/.*-F \([^ ]*\) hvlab$/\1/p")
		[ -n "$fn" ] || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$fn" hvlab "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$file" "$@"
}

out=$(timeout $T bash --norc --noprofile -c 'source "$1" && complete -p hvlab' bash "$COMP" 2>&1)
grep -q -- '-F _hvlab hvlab$' <<<"$out"
result $? "the completion loads in a plain bash and registers for hvlab" "$out"

got=$(complete_line "$COMP" hvlab r | sort | tr '\n' ' ')
[ "$got" = "replay run " ]
result $? "hvlab r<TAB> completes to run and replay" "got: $got"

got=$(complete_line "$COMP" hvlab run --paging "" | sort | tr '\n' ' ')
[ "$got" = "ept shadow " ]
result $? "hvlab run --paging <TAB> offers ept and shadow" "got: $got"

# The long options a --help text lists: lines that begin with blanks and
# an option ("  -r, --raw", "      --stats-socket PATH").
help_opts() {
	timeout $T "$HV" "$@" --help 2>&1 |
		grep -oE '^[[:space:]]+(-[A-Za-z0-9], )?--[a-z0-9][a-z0-9-]*' |
		grep -oE -- '--[a-z0-9-]+' | sort -u
}

# A page rendered as plain text on very long lines, without hyphenation.
render() {
	timeout $T groff -man -Tascii -rLL=300n -rHY=0 -P-cbou "$1" 2>/dev/null
}

# drift COMPLETION MANDIR: every long option of every command's --help is
# in the completion and in the command's page; prints what is missing.
drift() {
	local comp=$1 mandir=$2 sub c o words page
	for sub in $SUBS; do
		page=$(render "$mandir/hvlab-$sub.1")
		if [ "$sub" = disk ]; then
			# "--help" is every disk command's, not listed in its help text
			for c in $DISK_CMDS; do
				words=$(complete_line "$comp" hvlab disk "$c" --)
				for o in $(help_opts disk "$c") --help; do
					grep -qx -- "$o" <<<"$words" || echo "completion: hvlab disk $c $o"
				done
				for o in $(help_opts disk "$c"); do
					grep -qE -- "$o([^a-z0-9-]|$)" <<<"$page" || echo "hvlab-disk.1: $c $o"
				done
			done
			continue
		fi
		opts=$(help_opts "$sub")
		[ -n "$opts" ] || echo "hvlab $sub --help lists no option (cannot check)"
		words=$(complete_line "$comp" hvlab "$sub" --)
		for o in $opts; do
			grep -qx -- "$o" <<<"$words" || echo "completion: hvlab $sub $o"
			grep -qE -- "$o([^a-z0-9-]|$)" <<<"$page" || echo "hvlab-$sub.1: $o"
		done
	done
}

mapfile -t missing < <(drift "$COMP" "$MAN/man1")
result ${#missing[@]} "every long option of 'hvlab SUB --help' is in the completion and in hvlab-SUB(1)" "${missing[@]}"

# The check above must notice a missing option: drop one from a copy of the
# completion (replay's --vga) and one from a copy of a page (run's
# --console-log), and it has to name both.
cp -r "$MAN/man1" "$tmp/man-broken"
sed 's/ --vga//' "$COMP" >"$tmp/comp-broken"
sed -i '/console\\-log/d' "$tmp/man-broken/hvlab-run.1"
out=$(drift "$tmp/comp-broken" "$tmp/man-broken")
grep -qx 'completion: hvlab replay --vga' <<<"$out" && grep -qx 'hvlab-run.1: --console-log' <<<"$out"
result $? "the drift check names an option missing from the completion and from a page" "got: $out"

# the top-level page lists every command
page=$(render "$MAN/man1/hvlab.1")
bad=()
for sub in $SUBS; do
	grep -q "hvlab-$sub(1)" <<<"$page" || bad+=("hvlab.1 does not point to hvlab-$sub(1)")
	timeout $T "$HV" --help | grep -qE "^  $sub " || bad+=("hvlab --help does not list $sub")
done
result ${#bad[@]} "hvlab(1) points to the page of every command 'hvlab --help' lists" "${bad[@]}"

out=$(timeout 300 make -s uninstall DESTDIR="$DEST" PREFIX=$PREFIX 2>&1)
left=$(find "$DEST" -type f)
[ -z "$left" ]
result $? "make uninstall removes every installed file" "$out" "$left"

echo "1..$n"
exit $fail
