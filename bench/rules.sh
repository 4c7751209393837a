#!/usr/bin/env bash
# Rule evaluation throughput: RECORDS records (default 2,000,000) of a synthetic capture, as JSON lines, evaluated
# by (a) every SigmaHQ rule that compiles plus the shipped rules/, (b) 1,000 generated detection rules, and by no
# rules at all (the cost of reading and splitting the input). One thread, `hydrant bench rules`.
#
#   HYDRANT=.build/release/hydrant bench/rules.sh
#
# Environment: HYDRANT (binary, default .build/release/hydrant), RECORDS, SEED, SIGMA (SigmaHQ rule folder, default
# ../shared/conformance/sigma), RUNS (best of, default 3), OUT (work folder, default bench/out/rules).
set -euo pipefail
cd "$(dirname "$0")/.."

HYDRANT=${HYDRANT:-.build/release/hydrant}
RECORDS=${RECORDS:-2000000}
SEED=${SEED:-1}
SIGMA=${SIGMA:-../shared/conformance/sigma}
RUNS=${RUNS:-3}
OUT=${OUT:-bench/out/rules}
mkdir -p "$OUT"
[ -x "$HYDRANT" ] || { echo "no $HYDRANT: build it first (swift build -c release)" >&2; exit 2; }

records="$OUT/records-$RECORDS-$SEED.jsonl"
if [ ! -s "$records" ]; then
    # The mixed scenario gives roughly one record (flow, DNS, HTTP or TLS) per 10 packets over long captures; the
    # capture is streamed from synth into replay, never stored. Grow the capture until it has enough records.
    packets=$((RECORDS * 12))
    for attempt in 1 2 3; do
        echo "making records: hydrant synth --scenario mixed --packets $packets | hydrant replay -o …" >&2
        "$HYDRANT" synth --scenario mixed --packets "$packets" --seed "$SEED" -o - \
            | "$HYDRANT" replay - --observer bench -o "$OUT/all.jsonl" 2> "$OUT/replay.log"
        have=$(wc -l < "$OUT/all.jsonl")
        if [ "$have" -ge "$RECORDS" ]; then break; fi
        packets=$((packets * RECORDS / (have + 1) * 11 / 10 + 1000))
    done
    [ "$have" -ge "$RECORDS" ] || { echo "only $have records" >&2; exit 1; }
    head -n "$RECORDS" "$OUT/all.jsonl" > "$records"
    rm -f "$OUT/all.jsonl"
fi
python3 - "$records" <<'EOF' >&2
import collections, json, sys
counts = collections.Counter()
with open(sys.argv[1]) as f:
    for line in f:
        counts[json.loads(line)["event"]["dataset"]] += 1
print("input:", sum(counts.values()), "records,", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
EOF

# (b) 1,000 generated detection rules over every dataset: exact, prefix, suffix and substring literals, ports,
# CIDR networks and a few regular expressions, none of which exists in the synthetic traffic (so every record
# goes through the indexes and the alerts stay few).
generated="$OUT/generated"
rm -rf "$generated"; mkdir -p "$generated"
python3 - "$generated" <<'EOF'
import os, sys
out = sys.argv[1]
def rule(i, service, items):
    body = "\n".join(f"        {k}: {v}" for k, v in items)
    return f"""title: Generated rule {i}
id: 00000000-0000-4000-8000-{i:012d}
status: test
level: low
logsource:
    category: network
    service: {service}
detection:
    selection:
{body}
    condition: selection
"""
docs = []
for i in range(1000):
    k = i % 10
    if k == 0: docs.append(rule(i, "dns", [("dns.question.name|endswith", f"'.bad{i}.example'")]))
    elif k == 1: docs.append(rule(i, "dns", [("dns.question.name|contains", f"'tunnel{i}'")]))
    elif k == 2: docs.append(rule(i, "dns", [("dns.question.name", f"'c2-{i}.example.net'")]))
    elif k == 3: docs.append(rule(i, "http", [("url.original|contains", f"'/exploit{i}/'")]))
    elif k == 4: docs.append(rule(i, "http", [("user_agent.original|startswith", f"'BadBot/{i}'")]))
    elif k == 5: docs.append(rule(i, "tls", [("tls.client.server_name|endswith", f"'.evil{i}.example'")]))
    elif k == 6: docs.append(rule(i, "tls", [("tls.client.ja3", f"'{i:032x}'")]))
    elif k == 7: docs.append(rule(i, "connection", [("destination.port", 20000 + i), ("network.transport", "tcp")]))
    elif k == 8: docs.append(rule(i, "connection", [("destination.ip|cidr", f"'198.18.{i % 256}.0/24'"),
                                                    ("destination.port", 30000 + i)]))
    else:
        if i % 50 == 9:
            docs.append(rule(i, "http", [("url.original|re", f"'^/admin{i}/[a-z]+\\.php$'")]))
        else:
            docs.append(rule(i, "dns", [("dns.question.name|endswith", f"'.x{i}.invalid'")]))
for n in range(10):
    with open(os.path.join(out, f"generated-{n}.yml"), "w") as f:
        f.write("\n---\n".join(docs[n * 100:(n + 1) * 100]))
EOF

best() {  # runs `hydrant bench rules` RUNS times, prints the RESULT line with the highest engine rate
    local bestline="" bestrate=0
    for _ in $(seq "$RUNS"); do
        line=$("$HYDRANT" bench rules --input "$records" "$@" | grep '^RESULT')
        rate=$(sed -E 's/.*engine_records_per_s=([0-9]+).*/\1/' <<<"$line")
        if [ "$rate" -gt "$bestrate" ]; then bestrate=$rate; bestline=$line; fi
    done
    echo "$bestline"
}

rule_paths=()
if [ -d "$SIGMA" ]; then rule_paths+=("$SIGMA"); else echo "no $SIGMA: (a) runs the shipped rules only" >&2; fi
# The shipped rules sit in subfolders (rules/dns, rules/network, …).
if [ -n "$(find rules -name '*.yml' -o -name '*.yaml' 2>/dev/null | head -n 1)" ]; then rule_paths+=(rules); fi
sigma_args=()
for path in "${rule_paths[@]}"; do sigma_args+=(--rules "$path"); done

echo "(a) is what compiles of: ${rule_paths[*]}" >&2
"$HYDRANT" rules validate "${rule_paths[@]}" 2>/dev/null | tail -n 1 >&2 || true

none=$(best)
a=$(best "${sigma_args[@]}")
b=$(best --rules "$generated")
echo "no rules:            $none"
echo "(a) SigmaHQ+shipped: $a"
echo "(b) 1,000 generated: $b"
