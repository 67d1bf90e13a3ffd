# SPDX-License-Identifier: GPL-2.0
# bash completion for hvlab(1): the subcommands, each one's options, the
# values some options take (--paging ept|shadow, --panel NAME, disk
# formats), and file names elsewhere.  Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/hvlab; it needs nothing from
# the bash-completion package, so `source completion/hvlab.bash` works in a
# plain bash too.  tests/native/install.sh checks that every long option
# `hvlab COMMAND --help` prints is offered here.

_hvlab_words()
{
	local IFS=$' \t\n'
	# shellcheck disable=SC2207 # word lists, no globbing wanted
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_hvlab_files()
{
	local IFS=$'\n'
	# shellcheck disable=SC2207
	COMPREPLY=($(compgen -f -- "$1"))
	compopt -o filenames 2>/dev/null
}

_hvlab()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd=${COMP_WORDS[1]:-} sub=${COMP_WORDS[2]:-}
	local panels="exits log vcpu walk io console irq net help"
	COMPREPLY=()

	if [ "$COMP_CWORD" -eq 1 ]; then
		_hvlab_words "caps run disk replay top help --help --version" "$cur"
		return
	fi
	case "$cmd" in
	caps)
		_hvlab_words "--raw --quiet --help" "$cur"
		;;
	run)
		case "$prev" in
		--paging) _hvlab_words "ept shadow" "$cur"; return ;;
		-m|--memory|--cpus|--append|--flat|--walk|--mac) return ;;
		--net) _hvlab_words "nat nat,hostfwd=tcp:: bridged: internal:" "$cur"; return ;;
		--module|--initrd|--record|--console-log|--disk|--stats-socket|--pcap)
			_hvlab_files "$cur"; return ;;
		esac
		if [[ $cur == -* ]]; then
			_hvlab_words "--memory --cpus --module --append --initrd --flat --trap-cr3
				--trap-exceptions --paging --bench-floor --strict --walk --verbose --stats --dashboard
				--record --record-lossy --stats-socket --console-log --disk
				--net --mac --pcap --help" "$cur"
		else
			_hvlab_files "$cur"
		fi
		;;
	replay)
		case "$prev" in
		-p|--panel) _hvlab_words "$panels" "$cur"; return ;;
		-a|--at) _hvlab_words "end" "$cur"; return ;;
		-x|--speed|-s|--size|-w|--walk|-f|--filter) return ;;
		esac
		if [[ $cur == -* ]]; then
			_hvlab_words "--info --at --speed --partial --dump --panel --size
				--walk --filter --vga --write-demo --help" "$cur"
		else
			_hvlab_files "$cur"
		fi
		;;
	top)
		case "$prev" in
		-p|--panel) _hvlab_words "$panels" "$cur"; return ;;
		-s|--size|-i|--interval) return ;;
		esac
		if [[ $cur == -* ]]; then
			_hvlab_words "--dump --panel --size --interval --help" "$cur"
		else
			_hvlab_files "$cur"
		fi
		;;
	disk)
		if [ "$COMP_CWORD" -eq 2 ]; then
			_hvlab_words "create info check convert snapshot commit clone
				resize --help" "$cur"
			return
		fi
		case "$prev" in
		-f|--format|-O|--output-format) _hvlab_words "vdi raw" "$cur"; return ;;
		esac
		if [[ $cur == -* ]]; then
			case "$sub" in
			create) _hvlab_words "--format --fixed --help" "$cur" ;;
			check) _hvlab_words "--repair --help" "$cur" ;;
			convert) _hvlab_words "--output-format --fixed --help" "$cur" ;;
			resize) _hvlab_words "--shrink --help" "$cur" ;;
			*) _hvlab_words "--help" "$cur" ;;
			esac
		else
			_hvlab_files "$cur"
		fi
		;;
	esac
}
complete -F _hvlab hvlab
