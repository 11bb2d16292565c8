#!/bin/bash
# Re-captures the server answers in tests/vectors/ from real servers started
# here on 127.0.0.1 (openssl s_server, gnutls-serv, python's http.server).
# Each vector's first line says which server, which hello and when.
#
# usage: tools/capture_vectors.sh [OUTDIR]   (default tests/vectors)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/tests/vectors}
cap=$root/tools/capture_server_answer.py
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
cd "$work"

# Keys and certificates for the servers (throwaway, made on each run).
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.pem -days 30 \
    -subj /CN=localhost 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key \
    -out ec.pem -days 30 -subj /CN=localhost 2>/dev/null
openssl dhparam -out dh1024.pem 1024 2>/dev/null
for i in $(seq 1 99); do cat ec.pem; done >chain99.pem

port=47400
wait_port() {
    for _ in $(seq 1 50); do
        if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "server on port $1 did not start" >&2
    return 1
}

# run_case NAME "SERVER ARGS" CAPTURE-ARGS...: start a server, capture, stop it.
run_case() {
    local name=$1 server=$2
    shift 2
    port=$((port + 1))
    local cmd=${server//PORT/$port}
    # shellcheck disable=SC2086
    $cmd >/dev/null 2>&1 </dev/null &
    local pid=$!
    pids+=("$pid")
    wait_port "$port"
    /usr/bin/python3 "$cap" --port "$port" --out "$out/$name.hex" \
        --server "$(echo "$cmd" | sed "s|$work/||g; s|-accept $port|-accept PORT|; s|-p $port|-p PORT|")" "$@"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

ossl="openssl s_server -quiet -accept PORT"
ossl_rsa="$ossl -cert $work/rsa.pem -key $work/rsa.key"
ossl_ec="$ossl -cert $work/ec.pem -key $work/ec.key"

run_case ossl_tls12_ecdhe_rsa "$ossl_rsa -no_tls1_3 -cipher ECDHE-RSA-AES128-GCM-SHA256" \
    --version 0x0303 --suites c02f,009e,002f --sni localhost
run_case ossl_tls12_dhe_1024 "$ossl_rsa -no_tls1_3 -cipher DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0 -dhparam $work/dh1024.pem" \
    --version 0x0303 --suites 009e --groups 29,23
run_case ossl_tls12_dhe_auto "$ossl_rsa -no_tls1_3 -cipher DHE-RSA-AES256-GCM-SHA384" \
    --version 0x0303 --suites 009f
run_case ossl_tls12_rsa_kex "$ossl_rsa -no_tls1_3 -cipher AES128-SHA" \
    --version 0x0303 --suites 002f
run_case ossl_tls12_ecdsa "$ossl_ec -no_tls1_3 -cipher ECDHE-ECDSA-AES256-GCM-SHA384" \
    --version 0x0303 --suites c02c,c02b --groups 24,23
run_case ossl_tls11_ecdhe "$ossl_rsa -tls1_1 -cipher ALL:@SECLEVEL=0" \
    --version 0x0302 --suites c013
run_case ossl_tls13_hrr "$ossl_rsa -tls1_3" \
    --suites 1302,1301,1303 --tls13 empty --groups 24,23
run_case ossl_tls13_server_hello "$ossl_rsa -tls1_3" \
    --suites 1301 --tls13 x25519 --groups 29
run_case ossl_alert_handshake_failure "$ossl_rsa -no_tls1_3 -cipher ECDHE-RSA-AES128-GCM-SHA256" \
    --version 0x0303 --suites 000a
run_case ossl_alert_protocol_version "$ossl_rsa -tls1_2" \
    --version 0x0301 --suites c013
run_case ossl_unrecognized_name "$ossl_rsa -no_tls1_3 -servername good.test -cert2 $work/ec.pem -key2 $work/ec.key" \
    --version 0x0303 --suites c02f --sni other.test
run_case ossl_chain100 "$ossl_ec -no_tls1_3 -cert_chain $work/chain99.pem" \
    --version 0x0303 --suites c02b
run_case ossl_sslv2_answer "$ossl_rsa" --sslv2 010080,0700c0,020080

gnutls="gnutls-serv --quiet -p PORT --x509certfile $work/rsa.pem --x509keyfile $work/rsa.key"
run_case gnutls_tls12_ecdhe "$gnutls --priority NORMAL:-VERS-TLS1.3" \
    --version 0x0303 --suites c030,c02f --sni localhost
run_case gnutls_tls12_3des "$gnutls --priority NORMAL:+3DES-CBC:+RSA:-VERS-TLS1.3" \
    --version 0x0303 --suites 000a
run_case gnutls_tls13_hrr "$gnutls --priority NORMAL" \
    --suites 1301,1303 --tls13 empty --groups 23,29

run_case http_server "/usr/bin/python3 -m http.server --bind 127.0.0.1 PORT" \
    --version 0x0303 --suites c02f
