# bash completion for smtpprobe(1)                          -*- shell-script -*-
#
# Installed as /usr/share/bash-completion/completions/smtpprobe, where
# bash-completion loads it the first time smtpprobe is completed; or
# source it by hand.  Needs nothing from bash-completion: only host
# names (targets, --check, --control) come from it when it is loaded.
# tests/integration/test_completion.sh checks these lists against
# smtpprobe.c's option table.

_smtpprobe()
{
	local cur prev opt i prefix=
	local -a words=("${COMP_WORDS[@]}")
	local cword=$COMP_CWORD
	# long options that take a value, and those that do not
	local with='--ports --tls-ports --timeout --deadline --ca-file
		--cert-days --dns-server --ehlo --format --output --input
		--concurrency --per-address --shard --check --encryption --control
		--user --password-file'
	local without='--egress --quick --public-only --quiet --help --version'
	local short='-p -t -d -f -o -i -q -4 -6 -h -V'

	COMPREPLY=()
	cur=${words[cword]}
	prev=
	((cword > 0)) && prev=${words[cword - 1]}

	# "--opt=value": with '=' in COMP_WORDBREAKS (the default) the option,
	# the '=' and the value are separate words; without, one word.
	if [[ $cur == = && $prev == --* ]]; then
		opt=$prev
		cur=
	elif [[ $prev == = ]] && ((cword > 1)) && [[ ${words[cword - 2]} == --* ]]; then
		opt=${words[cword - 2]}
	elif [[ $cur == --*=* ]]; then
		opt=${cur%%=*}
		prefix=$opt=
		cur=${cur#*=}
	else
		opt=$prev
		# after "--" no word is an option, so none takes a value
		for ((i = 1; i < cword - 1; i++)); do
			[[ ${words[i]} == -- ]] && opt=
		done
	fi

	case $opt in
	-f | --format)
		mapfile -t COMPREPLY < <(compgen -P "$prefix" -W 'text json markdown html nagios openmetrics' -- "$cur")
		return
		;;
	--encryption)
		# what settings screens say, and the protocol's own words
		mapfile -t COMPREPLY < <(compgen -P "$prefix" -W 'none tls ssl starttls implicit' -- "$cur")
		return
		;;
	--ca-file | -o | --output | --password-file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -P "$prefix" -f -- "$cur")
		return
		;;
	-i | --input)
		# a file of targets, or "-" for standard input
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -P "$prefix" -f -- "$cur")
		[[ - == "$cur"* ]] && COMPREPLY+=("$prefix-")
		return
		;;
	--check | --control)
		[[ -z $prefix ]] && declare -F _known_hosts_real >/dev/null &&
			_known_hosts_real -- "$cur"
		return
		;;
	-p | --ports | --tls-ports | -t | --timeout | -d | --deadline | \
		--cert-days | --dns-server | --ehlo | --concurrency | --per-address | --shard)
		# a number, a list or an address: nothing sensible to offer
		return
		;;
	esac
	[[ -n $prefix ]] && return # "--help=" and the like: no value

	# after "--" every word is a target
	for ((i = 1; i < cword; i++)); do
		[[ ${words[i]} == -- ]] && break
	done
	if ((i == cword)) && [[ $cur == -* ]]; then
		# shellcheck disable=SC2086 # word lists
		mapfile -t COMPREPLY < <(compgen -W "$with $without $short" -- "$cur")
		# one long option that takes a value: "--format=", no space
		if ((${#COMPREPLY[@]} == 1)) && [[ " ${with//[$'\t\n']/ } " == *" ${COMPREPLY[0]} "* ]]; then
			compopt -o nospace 2>/dev/null
			COMPREPLY[0]+='='
		fi
		return
	fi

	# a target: host names bash-completion knows of, if it is loaded
	if declare -F _known_hosts_real >/dev/null; then
		_known_hosts_real -- "$cur"
	fi
} &&
	complete -F _smtpprobe smtpprobe

# ex: filetype=sh
