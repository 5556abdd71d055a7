#!/bin/bash
# Checks the bed itself with stock tools (dig, openssl, swaks, bash /dev/tcp),
# so a failing smtpprobe test can be told apart from a broken bed.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh
need_tools openssl swaks
bed_up

# --- DNS: authoritative answers from dnsmasq
while read -r name type want; do
	assert_eq "dns $name $type" "$(in_client dig +short @"$DNS_SERVER" "$name" "$type")" "$want"
done <<-'EOF2'
	mail.example.test A 198.18.1.2
	mail.example.test AAAA fd00:1::2
	fw.example.test A 198.18.2.2
	fw.example.test AAAA fd00:2::2
EOF2
assert_eq "dns answer is authoritative" \
	"$(in_client dig @"$DNS_SERVER" mail.example.test | grep -c '^;; flags:.* aa')" 1
assert_eq "dns unknown name" \
	"$(in_client dig @"$DNS_SERVER" nope.example.test | grep -o 'status: [A-Z]*')" "status: NXDOMAIN"

# --- TLS: chain verifies for the name, never for an address (no IP SAN)
# tls ADDR PORT [openssl options...]: "ok" if the handshake verifies.
tls() {
	local hp=$1:$2
	[[ $1 == *:* ]] && hp="[$1]:$2"
	shift 2
	if in_client openssl s_client -brief -connect "$hp" -CAfile "$CA_FILE" \
		-verify_return_error "$@" </dev/null >/dev/null 2>&1; then echo ok; else echo fail; fi
}
for a in 198.18.1.2 fd00:1::2; do
	for p in 25 587; do
		assert_eq "$a:$p STARTTLS verifies as mail.example.test" \
			"$(tls "$a" "$p" -starttls smtp -verify_hostname mail.example.test)" ok
	done
	assert_eq "$a:465 implicit TLS verifies as mail.example.test" \
		"$(tls "$a" 465 -verify_hostname mail.example.test)" ok
	assert_eq "$a:465 certificate does not match the address" "$(tls "$a" 465 -verify_ip "$a")" fail
done

# --- SMTP: EHLO keywords and AUTH, from swaks' transcript
# swaks needs Net::SSLeay and IO::Socket::INET6 (packages it only recommends).
assert_eq "swaks supports TLS and IPv6" "$(swaks --support 2>&1 | grep -cE '^=== (TLS|IPv6) supported')" 2
# ehlo MARK ARGS...: keywords after "<-" (plain) or "<~" (inside TLS).
ehlo() {
	local mark=$1
	shift
	in_client swaks --helo client.example.test --quit-after EHLO "$@" 2>&1 |
		sed -n "s/^$mark  250[- ]\([A-Z0-9-]*\).*/\1/p" | sort | tr '\n' ' '
}
has() { case " $1" in *" $2 "*) echo yes ;; *) echo no ;; esac }
for a in 198.18.1.2 fd00:1::2; do
	e=$(ehlo '<-' -s "$a" -p 25)
	assert_eq "$a:25 offers STARTTLS" "$(has "$e" STARTTLS)" yes
	assert_eq "$a:25 offers no AUTH" "$(has "$e" AUTH)" no
	e=$(ehlo '<-' -s "$a" -p 587)
	assert_eq "$a:587 offers STARTTLS" "$(has "$e" STARTTLS)" yes
	assert_eq "$a:587 hides AUTH before TLS" "$(has "$e" AUTH)" no
	assert_eq "$a:587 offers AUTH after TLS" "$(has "$(ehlo '<~' -s "$a" -p 587 --tls)" AUTH)" yes
	assert_eq "$a:465 offers AUTH" "$(has "$(ehlo '<~' -s "$a" -p 465 --tlsc)" AUTH)" yes
	assert_eq "$a:2525 offers no STARTTLS" "$(has "$(ehlo '<-' -s "$a" -p 2525)" STARTTLS)" no
done
assert_eq "587 refuses MAIL before STARTTLS" \
	"$(in_client swaks --helo client.example.test -s mail.example.test -p 587 --quit-after MAIL 2>&1 | grep -c '^<\*\* 530 ')" 1
auth=(-au testuser@example.test -ap testpass --quit-after AUTH)
assert_eq "587 AUTH PLAIN succeeds over STARTTLS" \
	"$(in_client swaks --helo client.example.test -s mail.example.test -p 587 --tls -a PLAIN "${auth[@]}" 2>&1 | grep -c '^<~  235 ')" 1
assert_eq "465 AUTH LOGIN succeeds" \
	"$(in_client swaks --helo client.example.test -s mail.example.test -p 465 --tlsc -a LOGIN "${auth[@]}" 2>&1 | grep -c '^<~  235 ')" 1

# --- firewall: the three ways a port is blocked, all eight in parallel
# connect_result ADDR PORT: open, timeout, refused or unreachable.
# 2 s, not less: on veth the first ICMP reject is often dropped while
# connect() holds the socket lock; the error comes with the SYN resent at 1 s.
connect_result() {
	local out rc
	out=$(in_client timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>&1)
	rc=$?
	case $rc:$out in
	0:*) echo open ;;
	124:*) echo timeout ;;
	*refused*) echo refused ;;
	*"No route to host"* | *"Permission denied"*) echo unreachable ;; # v4 | v6
	*) echo "rc $rc: $out" ;;
	esac
}
for a in 198.18.2.2 fd00:2::2; do
	for p in 25 587 465 2525; do
		connect_result "$a" "$p" >"$BED_DIR/fw-$a-$p" &
	done
done
wait
for a in 198.18.2.2 fd00:2::2; do
	for pw in 25:timeout 587:timeout 465:refused 2525:unreachable; do
		assert_eq "fw $a:${pw%:*} connect" "$(cat "$BED_DIR/fw-$a-${pw%:*}")" "${pw#*:}"
	done
done

finish
