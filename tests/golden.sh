# shellcheck shell=bash
# Golden JSON: every JSON run of the integration and hostile tests is
# compared with tests/golden/SCRIPT/NAME.json, so a change of behaviour
# shows as a diff even where no assertion looks.  What varies from run to
# run is made constant first (tests/golden.jq): timings, durations, dates,
# the port a test server picked.  A field the golden file does not have is
# left out of the comparison (fields are added, never renamed or removed).
#
#   UPDATE_GOLDEN=1  rewrite the golden files from this run
#   GOLDEN_DIR       where they are (default tests/golden)
#
# Needs assert_eq (tests/assert.sh).

declare -A GOLDEN_SEEN=()

# golden_json NAME FILE: FILE's JSON lines (sorted by target) against
# the golden file of NAME in this script.
golden_json() {
	local name=$1 file=$2 dir key n g norm d
	dir=${GOLDEN_DIR:-tests/golden}/$(basename "$0" .sh)
	key=$name
	# the same name twice in one script: NAME.2, NAME.3, ...
	n=${GOLDEN_SEEN[$name]:-0}
	GOLDEN_SEEN[$name]=$((n + 1))
	[ "$n" -eq 0 ] || key=$name.$((n + 1))
	g=$dir/$key.json
	norm=$(jq -S -s -f tests/golden.jq "$file" 2>&1)
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$dir" && printf '%s\n' "$norm" >"$g"
	fi
	if [ ! -f "$g" ]; then
		assert_eq "$name: golden file $g" missing "present (UPDATE_GOLDEN=1 writes it)"
		return
	fi
	d=$(printf '%s\n' "$norm" | jq -S --slurpfile g "$g" 'def proj($g): . as $o |
			if ($g | type) == "object" and ($o | type) == "object" then
				reduce ($g | keys[]) as $k ({};
					if $o | has($k) then .[$k] = ($o[$k] | proj($g[$k])) else . end)
			elif ($g | type) == "array" and ($o | type) == "array" then
				[range(0; $o | length) as $i | $o[$i] | proj($g[$i])]
			else $o end;
			proj($g[0])' 2>&1 | diff -u "$g" - 2>&1)
	[ -z "$d" ] || printf '%s\n' "$d" | head -n 60 | sed 's/^/# /'
	assert_eq "$name: JSON as $g (normalised)" "$([ -z "$d" ] && echo same || echo different)" same
}
