#!/bin/bash
# Where a filtered port's SYNs die: the bed's mail host (a real Postfix)
# two routers away from a client of this test's own, and a provider that
# is down (drops everything):
#
#   hop ns 198.18.20.1 -- r1 ns -- r2 ns --+-- mail ns  198.18.22.2 fd00:22::2
#          fd00:20::1  .20.2/.21.1  .21.2  +-- down ns  198.18.23.2 fd00:23::2
#
# The routers forward and send time-exceeded (no ICMP rate limit); an
# nftables table drops port 25 on this client (filtered here), in r2's
# forward chain (filtered at hop 2), or every TCP port (no network).
# Verdicts, the hop named, in text, JSON and Markdown, for both families,
# and the walk's wall time bounded by one --timeout.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_smtpprobe
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"

HOP_NS=smtpprobe-$RID-hop
R1_NS=smtpprobe-$RID-r1
R2_NS=smtpprobe-$RID-r2
DOWN_NS=smtpprobe-$RID-down

# veth NS1 ADDR1 NS2 ADDR2 NET6 TAG: a link, ADDRn on NSn (/24), and
# fd00:NET6::1 / ::2 (/64).
veth() {
	local a=sp$RID$6a b=sp$RID$6b
	ip link add "$a" netns "$1" type veth peer name "$b" netns "$3" &&
		ip -n "$1" addr add "$2/24" dev "$a" &&
		ip -n "$3" addr add "$4/24" dev "$b" &&
		ip -n "$1" addr add "fd00:$5::1/64" dev "$a" nodad &&
		ip -n "$3" addr add "fd00:$5::2/64" dev "$b" nodad &&
		ip -n "$1" link set "$a" up && ip -n "$3" link set "$b" up
}

# route NS PREFIX4 VIA4 PREFIX6 VIA6
route() {
	ip -n "$1" route add "$2" via "$3" && ip -n "$1" -6 route add "$4" via "$5"
}

hops_net() {
	local ns
	for ns in "$HOP_NS" "$R1_NS" "$R2_NS" "$DOWN_NS"; do
		bed_ns_add "$ns" || return
	done
	veth "$HOP_NS" 198.18.20.1 "$R1_NS" 198.18.20.2 20 c &&
		veth "$R1_NS" 198.18.21.1 "$R2_NS" 198.18.21.2 21 r &&
		veth "$R2_NS" 198.18.22.1 "$MAIL_NS" 198.18.22.2 22 m &&
		veth "$R2_NS" 198.18.23.1 "$DOWN_NS" 198.18.23.2 23 d || return
	for ns in "$R1_NS" "$R2_NS"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 net.ipv4.icmp_ratelimit=0 \
			net.ipv6.icmp.ratelimit=0 || return
	done
	# no default route anywhere: only the test's prefixes
	route "$HOP_NS" 198.18.21.0/24 198.18.20.2 fd00:21::/64 fd00:20::2 &&
		route "$HOP_NS" 198.18.22.0/23 198.18.20.2 fd00:22::/63 fd00:20::2 &&
		route "$R1_NS" 198.18.22.0/23 198.18.21.2 fd00:22::/63 fd00:21::2 &&
		route "$R2_NS" 198.18.20.0/24 198.18.21.1 fd00:20::/64 fd00:21::1 &&
		route "$MAIL_NS" 198.18.20.0/23 198.18.22.1 fd00:20::/63 fd00:22::1 &&
		route "$DOWN_NS" 198.18.20.0/23 198.18.23.1 fd00:20::/63 fd00:23::1 || return
	ip netns exec "$DOWN_NS" nft -f - <<-'EOF'
		table inet hops_down {
			chain input { type filter hook input priority 0; policy drop; }
		}
	EOF
}
hops_net || die "hop network setup failed"

# Bounded wait for the paths: the mail host answers on 25 from the client.
for ((i = 0; i < 50; i++)); do
	ip netns exec "$HOP_NS" timeout 1 bash -c 'exec 3<>/dev/tcp/198.18.22.2/25 && exec 3<>/dev/tcp/fd00:22::2/25' \
		2>/dev/null && break
	sleep 0.1
done
[ "$i" -lt 50 ] || die "the mail host is not reachable through the routers"

TIMEOUT=2 # --timeout, seconds
# hrun NAME ARGS...: smtpprobe in the hop namespace; T the output, RC,
# MS the wall time.
hrun() {
	local name=$1 t0
	shift
	t0=$(date +%s%N)
	ns_exec "$HOP_NS" env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout "$TIMEOUT" \
		--ca-file "$CA_FILE" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	T=$OUT/$name.out
	assert_lt "$name: exit status (no crash, no hang)" "$RC" 2
	assert_eq "$name: nothing on stderr (no sanitizer report)" "$(head -c 300 "$OUT/$name.err")" ""
	if [[ "$name" == *json* ]]; then
		local v
		v=$(tests/validate-json "$T" 2>&1) && v=valid
		assert_eq "$name: output matches docs/smtpprobe.schema.json" \
			"$(printf '%s\n' "$v" | head -n 3 | tr '\n' ' ' | sed 's/ $//')" valid
	fi
}

# drop NS TABLE HOOK RULE...: an nftables table in NS; undrop removes it.
drop() {
	local ns=$1 table=$2 hook=$3 rule
	shift 3
	{
		echo "table inet $table {"
		echo "chain c { type filter hook $hook priority 0; policy accept;"
		for rule; do echo "$rule"; done
		echo "}"
		echo "}"
	} | ip netns exec "$ns" nft -f - || die "nft table $table in $ns failed"
}
undrop() { ip netns exec "$1" nft delete table inet "$2" || die "nft delete $2 failed"; }

# walk_is NAME FILE ADDRESS PORT WANT: "where hop reached timed_out" of the
# walk of ADDRESS:PORT in the JSON FILE (JSON Lines: the report of ADDRESS).
walk_is() {
	assert_jq "$1: walk to $3 port $4" "$2" \
		"select(.target == \"$3\") | .walks[] | select(.address == \"$3\" and .port == $4) | \"\\(.where) \\(.hop) \\(.reached)\"" "$5"
}

CTL4=(--control 198.18.22.2 --control 198.18.23.2)
CTL6=(--control fd00:22::2 --control fd00:23::2)

# --- 1. filtered at hop 2: r2 drops port 25 in its forward chain ---
drop "$R2_NS" hops25 forward "tcp dport 25 drop"

for fam in 4 6; do
	if [ $fam = 4 ]; then M=198.18.22.2 R1=198.18.20.2 R2=198.18.21.2 CTL=("${CTL4[@]}")
	else M=fd00:22::2 R1=fd00:20::2 R2=fd00:21::2 CTL=("${CTL6[@]}"); fi

	# The report of the mail host itself, in JSON: the walks.
	hrun hop2-json$fam -p 25,587 -f json "$M"
	F=$T
	assert_jq "hop2-json$fam: 25 blocked/timeout" "$F" "$(p "$M" 25) | \"\\(.state)/\\(.reason)\"" blocked/timeout
	walk_is hop2-json$fam "$F" "$M" 25 "path 2 null"
	walk_is hop2-json$fam "$F" "$M" 587 "null null 3"
	assert_jq "hop2-json$fam: hops 1 and 2 of the 25 walk" "$F" \
		"[.walks[] | select(.port == 25) | .hops[] | \"\\(.ttl):\\(.answer):\\(.from)\"] | join(\" \")" \
		"1:time-exceeded:$R1 2:time-exceeded:$R2"
	assert_jq "hop2-json$fam: the 587 walk, hop by hop" "$F" \
		"[.walks[] | select(.port == 587) | .hops[] | \"\\(.ttl):\\(.answer):\\(.from)\"] | join(\" \")" \
		"1:time-exceeded:$R1 2:time-exceeded:$R2 3:reached:$M"
	assert_jq "hop2-json$fam: summary" "$F" '.walks[] | select(.port == 25) | .summary' \
		"SYNs to port 25 go no further than hop 2 ($R2); SYNs to 587 reach $M in 3 hops"
	assert_jq "hop2-json$fam: the filtered walk ran into its timeout, the working one did not" "$F" \
		'[.walks[] | "\(.port):\(.timed_out)"] | join(" ")' "25:true 587:false"
	# one timeout for the whole walk, loosely: not a benchmark
	assert_jq "hop2-json$fam: the 25 walk took about one --timeout" "$F" \
		".walks[] | select(.port == 25) | .ms >= $((TIMEOUT * 1000 - 100)) and .ms < $((TIMEOUT * 1000 + 700))" true
	assert_jq "hop2-json$fam: 30 TTLs tried" "$F" '[.walks[].max_ttl] | unique | join(",")' 30
	# probes (one timeout) and walks (one more), with room for a slow machine
	assert_lt "hop2-json$fam: wall time within two timeouts and a half (ms)" "$MS" $((TIMEOUT * 2500))

	# --egress: the verdict and the hop, in text, JSON and Markdown.
	hrun hop2-egress$fam -p 25,587 --egress "${CTL[@]}"
	assert_eq "hop2-egress$fam (text): 25 filtered" \
		"$(grep -c '^Port 25: outbound 25 is filtered between this host and the internet' "$T")" 1
	assert_eq "hop2-egress$fam (text): where" "$(grep -F "  $M: SYNs to port 25" "$T")" \
		"  $M: SYNs to port 25 go no further than hop 2 ($R2); SYNs to 587 reach $M in 3 hops."
	assert_eq "hop2-egress$fam (text): the down provider" "$(grep -c '^Only fd00:23::2 is unreachable\|^Only 198.18.23.2 is unreachable' "$T")" 1
	hrun hop2-egress-json$fam -p 25,587 --egress -f json "${CTL[@]}"
	assert_jq "hop2-egress-json$fam: verdicts" "$T" '[.egress[] | "\(.port):\(.verdict)"] | join(" ")' "25:filtered 587:open"
	assert_jq "hop2-egress-json$fam: where 25 dies" "$T" \
		'.egress[] | select(.port == 25) | .hops[] | "\(.host) \(.address) \(.where) \(.hop)"' "$M $M path 2"
	assert_jq "hop2-egress-json$fam: the down provider" "$T" \
		'[.providers[] | select(.unreachable) | .host] | join(",")' "${CTL[3]}"
	hrun hop2-md$fam -p 25,587 --egress -f markdown "${CTL[@]}"
	assert_eq "hop2-md$fam: the ticket quotes the hop" \
		"$(grep -cF "fail: the connection attempts time out (the packets are silently dropped). Connections from here to $M complete on port 587. SYNs to port 25 go no further than hop 2 ($R2); SYNs to 587 reach $M in 3 hops. Please open" "$T")" 1
	hrun hop2-target-md$fam -p 25,587 -f markdown "$M"
	assert_eq "hop2-target-md$fam: the target's ticket quotes the hop" \
		"$(grep -c "^> .*port 25 of $M .* SYNs to port 25 go no further than hop 2 ($R2); SYNs to 587 reach $M in 3 hops\." "$T")" 1
	hrun hop2-text$fam -p 25,587 "$M"
	assert_eq "hop2-text$fam: where, in the target's text" "$(grep -cF "SYNs to port 25 go no further than hop 2 ($R2); SYNs to 587 reach $M in 3 hops" "$T")" 1

	# --quick: no walk, and no walk's timeout
	hrun hop2-quick$fam -p 25,587 --quick -f json "$M"
	assert_jq "hop2-quick$fam: no walks" "$T" '.walks | length' 0
	assert_lt "hop2-quick$fam: one timeout only (ms)" "$MS" $((TIMEOUT * 1000 + 1000))
done
undrop "$R2_NS" hops25

# --- 2. filtered here: this client drops port 25 ---
drop "$HOP_NS" hops25 output "tcp dport 25 drop"
for M in 198.18.22.2 fd00:22::2; do
	R1=198.18.20.2
	[[ $M == *:* ]] && R1=fd00:20::2
	hrun here-json-$M -p 25,587 -f json "$M"
	walk_is "here-json-$M" "$T" "$M" 25 "this-host null null"
	assert_jq "here-json-$M: summary" "$T" '.walks[] | select(.port == 25) | .summary' \
		"SYNs to port 25 never leave this machine: no hop answers, not even the first, while SYNs to 587 get an answer from hop 1 ($R1) and reach $M in 3 hops: a firewall on this machine drops them"
done
hrun here-egress -p 25,587 --egress "${CTL4[@]}"
assert_eq "here-egress (text): 25 filtered here" \
	"$(grep -c '^Port 25: outbound 25 is filtered between this host and the internet' "$T")" 1
assert_eq "here-egress (text): a drop on this machine itself" \
	"$(grep -c '^  198.18.22.2: SYNs to port 25 never leave this machine: .*: a firewall on this machine drops them\.$' "$T")" 1
undrop "$HOP_NS" hops25

# --- 3. no network: this client drops every TCP SYN ---
drop "$HOP_NS" hopsall output "meta l4proto tcp drop"
hrun nonet-json -p 25,587 --egress -f json "${CTL4[@]}"
assert_jq "nonet-json: verdicts" "$T" '[.egress[] | "\(.port):\(.verdict)"] | join(" ")' "25:no-network 587:no-network"
assert_jq "nonet-json: no hop walk without a port that works" "$T" '[.egress[].hops[]] | length' 0
assert_lt "nonet-json: one timeout, no walk (ms)" "$MS" $((TIMEOUT * 1000 + 1000))
undrop "$HOP_NS" hopsall

# --- 4. nothing filtered: no walk at all ---
hrun open-json -p 25,587 -f json 198.18.22.2
assert_jq "open-json: no walks" "$T" '.walks | length' 0

finish
