# The JSON lines of one run (slurped), with what varies from run to run
# made constant (see tests/golden.sh): durations, timings and dates; the
# ports a test server bound (Linux's ephemeral range); the test bed's
# directory; hashes of keys made for the run; and the order of what
# arrives in no fixed order (addresses of a host, controls, DNS errors
# and TLSA sets, --egress's providers and hop walks), and what the
# follow-up sessions and a --user login found (see timed_by_race).
def ephemeral: . >= 32768 and . <= 60999;

def norm_string:
  gsub("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"; "DATE")
  | gsub("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(:[0-9]{2})? UTC"; "DATE")
  | gsub("[0-9]+ (?<u>ms|milliseconds|days)\\b"; "N \(.u)")
  | gsub("(/[^ /]+)*/smtpprobe-[a-z]+\\.[0-9]+\\.[A-Za-z0-9]+"; "BED")
  | gsub("\\b[0-9a-f]{32,}\\b"; "HEX")
  | gsub("(?<p>:|port )(?<n>[0-9]{5})\\b";
      if (.n | tonumber | ephemeral) then "\(.p)PORT" else "\(.p)\(.n)" end);

def norm:
  if type == "object" then
    with_entries(
      if .key == "duration_ms" or .key == "started" or .key == "ms" then .value = 0
      elif .key == "timings_ms" and (.value | type) == "object" then .value |= map_values(0)
      elif .key == "days_left" and (.value | type) == "number" then .value = 0
      elif .key == "port" and (.value | type) == "number" and (.value | ephemeral) then .value = "PORT"
      else .value |= norm end)
  elif type == "array" then map(norm)
  elif type == "string" then norm_string
  else . end;

# The follow-ups of a host and port (--quick's sessions: TLS 1.0/1.1,
# injection, enforcement) and a --user login run on whichever address
# gets there first, and not always: what they found is left to their own
# tests (test_hostile, test_submission), out of this comparison.
def timed_by_race:
  if (.probes | type) == "array" then
    .probes |= map(del(.tls_enforcement, .credentials)
      | (.findings |= (if type == "array" then map(select(.id as $i
          | ["tls-not-enforced", "auth-failed", "credentials-not-sent"]
          | index($i) | not)) else . end))
      | (.timings_ms |= (if type == "object" then del(.mail, .auth) else . end)))
  else . end;

def unordered:
  timed_by_race
  | (.controls |= (if type == "array" then sort_by(.address, .port) else . end))
  | (.dns.hosts |= (if type == "array" then map(.addresses |= sort) else . end))
  | (.dns.errors |= (if type == "array" then sort_by(.name, .type) else . end))
  | (.dns.tlsa |= (if type == "array" then sort_by(.name, .usage, .selector, .matching, .data) else . end));

map(norm | if .dns then unordered else . end
  | if (.providers | type) == "array" then .providers |= sort_by(.host) else . end
  | if (.egress | type) == "array"
    then .egress |= map(if (.hops | type) == "array" then .hops |= sort_by(.host, .address) else . end)
    else . end)
| sort_by(.target // "")
