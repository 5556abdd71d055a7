#!/bin/bash
# The exit statuses as the manual tabulates them: every row of the table
# of cases in EXIT STATUS is read from the rendered page and run on the
# bed, and must exit with the status the row gives.  A row this script
# cannot run is a failure, so the table and the test cannot drift apart.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools mandoc col
need_smtpprobe
PAGE=man/smtpprobe.1

# "smtpprobe ARGS [and SIGNAL | | true]<spaces>STATUS", one per row, from
# the header row "Command  Status" to the first blank line.
rows=$(mandoc -Tutf8 "$PAGE" | col -bx | awk '
	/^EXIT STATUS/ { in_sec = 1; next }
	/^[A-Z]/ { in_sec = 0 }
	in_sec && /^ +Command +Status$/ { in_tab = 1; next }
	in_tab && /^ *$/ { exit }
	in_tab { sub(/^ +/, ""); print }')
n=$(printf '%s\n' "$rows" | grep -c .)
assert_ge "EXIT STATUS has a table of cases" "$n" 10

# Every status the manual lists has a case in the table.
for s in 0 1 2 3 143 141; do
	assert_eq "a case exits with $s" \
		"$(printf '%s\n' "$rows" | grep -cE " ${s}\$" | sed 's/^0$/none/; s/^[1-9][0-9]*$/some/')" some
done

bed_up
OUT=$BED_DIR/out
D=$BED_DIR/files
mkdir -p "$OUT" "$D"
printf '# only comments\n\n   # and blanks\n' >"$D/comments.txt"
printf 'mail.example.test\nnot..a.target\n' >"$D/bad-line.txt"
printf 'not a certificate\n' >"$D/notes.txt"

i=0
while IFS= read -r row; do
	i=$((i + 1))
	want=${row##* }
	cmd=${row% *}
	cmd=${cmd%"${cmd##*[! ]}"} # trailing blanks
	mode=plain
	case $cmd in
	*" and SIGTERM") mode=term cmd=${cmd% and SIGTERM} ;;
	*" | true") mode=pipe cmd=${cmd% | true} ;;
	esac
	read -ra words <<<"$cmd"
	if [ "${words[0]}" != smtpprobe ]; then
		assert_eq "row $i: a smtpprobe command" "$cmd" "smtpprobe ..."
		continue
	fi
	# The bed's DNS server and CA first: a row's own --ca-file comes later
	# and wins.  The row's files are made above.
	argv=("$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" --ca-file "$CA_FILE")
	for w in "${words[@]:1}"; do
		case $w in
		*.txt) argv+=("$D/$w") ;;
		*) argv+=("$w") ;;
		esac
	done
	case $mode in
	plain)
		in_client timeout 30 "${argv[@]}" >"$OUT/$i.out" 2>"$OUT/$i.err"
		rc=$?
		;;
	pipe)
		# The reader leaves at once: the report finds no one to read it.
		# shellcheck disable=SC2016 # expanded by the inner bash
		in_client bash -c '"$@" 2>/dev/null | true; exit "${PIPESTATUS[0]}"' bash "${argv[@]}"
		rc=$?
		;;
	term)
		# Still probing after 0.3 s (silent ports wait about a second).
		in_client "${argv[@]}" >"$OUT/$i.out" 2>"$OUT/$i.err" &
		pid=$!
		sleep 0.3
		kill -TERM "$pid"
		for ((t = 0; t < 100; t++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid"
		rc=$?
		;;
	esac
	assert_eq "[$row] exit status" "$rc" "$want"
	if [ "$rc" = 2 ] || [ "$rc" = 3 ]; then
		# bad input and local failures say what went wrong
		assert_eq "[$row] a message on stderr" \
			"$(grep -c '^smtpprobe: ' "$OUT/$i.err" | sed 's/^[1-9][0-9]*$/yes/; s/^0$/no/')" yes
	fi
done <<<"$rows"
assert_eq "every row ran" "$i" "$n"

finish
