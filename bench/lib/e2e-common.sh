# Sourced by bench/e2e and bench/profile: the pieces both need to stand up the end-to-end
# setup the same way — free ports, waiting for a listener, the gateway's two configs
# (full pipeline and no policies) and the request bodies. Expects $root, $work and
# $certs to be set by the caller.

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_port() {
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "port $1 never opened; the logs:" >&2
  for f in "$work"/*.log; do echo "--- $f" >&2; tail -5 "$f" >&2; done
  return 1
}

# write_paygate_config FILE PORT full|plain SIM_PORT
# full: JSON validation, vault token of the PAN (SQLite), JWE (RSA-OAEP-256) of the CVV,
# the answer's PAN policy, audit (fsync batch). plain: the same gateway and audit log on a
# route with no policies.
write_paygate_config() {
  local policies="" reuse=""
  # PAYGATE_BENCH_JWE_REUSE="MESSAGES MAX_AGE" turns on content-key reuse (opt-in, off in
  # the headline figures: docs/crypto.md).
  if [[ -n ${PAYGATE_BENCH_JWE_REUSE:-} ]]; then
    read -r reuse_messages reuse_age <<<"$PAYGATE_BENCH_JWE_REUSE"
    reuse=", content_key_reuse: { messages: $reuse_messages, max_age: $reuse_age }"
  fi
  if [[ $3 == full ]]; then
    policies='    message: authorization
    token_profile: cards
    request: { "$.card.number": issue_token, "$.card.cvv": encrypt_for_processor }
    response: { "$.card.number": tokenize }'
  fi
  cat > "$1" <<YAML
threads: 2
listeners:
  - name: merchants
    address: 127.0.0.1:$2
    tls: { certificate: $certs/gateway.pem, private_key: $certs/gateway.key }
    limits: { max_connections: 20000, idle_timeout: 5m, header_timeout: 60s }  # as nginx client_header_timeout
processors:
  - name: sim
    url: https://127.0.0.1:$4
    tls: { ca: $certs/processor-ca.pem, server_name: processor.local }
    pool: { max_connections: 64 }
    jwe: { public_key: $certs/processor-jwe.pub.pem$reuse }
routes:
  - name: payments
    match: { method: POST, path: /v1/payments }
    processor: sim
    upstream_path: /v1/authorizations
$policies
token_profiles:
  cards: { kind: vault }
vault: { store: sqlite, path: $work/vault-$(basename "$1" .yaml).db, workers: 2 }
keys: { keyring: $work/keys/keyring.yaml }
audit: { dir: $work/audit-$(basename "$1" .yaml), fsync: batch }
logging: { level: warn, access_log: false }
YAML
}

body() {  # body BYTES: an authorization padded to about BYTES with metadata
  python3 - "$1" <<'PY'
import json, sys
size = int(sys.argv[1])
m = {"merchant_reference": "order-000123", "amount": {"value": 1299, "currency": "EUR"},
     "card": {"number": "4111111111111111", "expiry_month": 12, "expiry_year": 2030, "cvv": "737",
              "holder_name": "Jane Q Cardholder"},
     "billing_address": {"line1": "Hauptstrasse 1", "line2": "Floor 3", "city": "Berlin",
                         "postal_code": "10115", "country": "DE"},
     "metadata": {"order_channel": "web", "customer_reference": "cust-42"}}
# The API allows 20 metadata entries of up to 500 characters: pad with entries of 480.
i = 0
while len(json.dumps(m)) < size and len(m["metadata"]) < 20:
    room = size - len(json.dumps(m)) - len(', "note_00": ""')
    m["metadata"]["note_%02d" % i] = "x" * max(1, min(480, room))
    i += 1
print(json.dumps(m), end="")
PY
}

# CPU seconds (user+system) of a process and its children, in clock ticks, from /proc.
cpu_ticks() {
  local total=0 p
  for p in "$@" $(for q in "$@"; do pgrep -P "$q" || true; done); do
    [[ -r /proc/$p/stat ]] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# Context switches (voluntary + involuntary) of every thread of a process and its children.
switches() {
  local p
  for p in "$1" $(pgrep -P "$1" || true); do cat /proc/"$p"/task/*/status 2>/dev/null; done |
    awk '/ctxt_switches/ {n += $2} END {print n + 0}'
}
