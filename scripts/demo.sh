#!/usr/bin/env bash
# The keytrust demo. Installs what it needs when missing (Java, Maven, swtpm, tpm2-tools, openssl;
# apt-get as root or via sudo), then:
#
#   scripts/demo.sh [--dir D] [--keep]   ./keytrust demo: hybrid key trust end to end on an in-process
#                                        lab (key service with push MFA, directory, sync job, swtpm
#                                        when installed): provision, sync, sign-in, wrong PIN, reset
#   scripts/demo.sh --keys               the key-only demo: a user's Hello key in swtpm, created with a
#                                        PIN, signing a challenge checked by openssl, refused with a
#                                        wrong PIN, handed to tpm2-tools
#
# Everything lives in a temporary folder, and the swtpm started is stopped by its own pid. Without
# swtpm (and no way to install it) both run on the software key provider instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { echo "demo.sh: $*" >&2; }

bash scripts/install-deps.sh || say "could not install everything; going on with what is there"
command -v java >/dev/null && command -v mvn >/dev/null || { say "Java and Maven are required"; exit 1; }

if [[ "${1:-}" != "--keys" ]]; then
  step "keytrust demo (builds the lab on first run)"
  exec ./keytrust demo "$@"
fi
shift

work="$(mktemp -d -t keytrust-demo-XXXXXX)"
swtpm_pid=""
cleanup() {
  if [[ -n "$swtpm_pid" ]]; then kill "$swtpm_pid" 2>/dev/null || true; wait "$swtpm_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

unhex() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_swtpm() {
  mkdir -p "$work/tpm"
  local tries
  for tries in 1 2 3 4 5 6 7 8; do
    local port=$((20000 + RANDOM % 12000))
    port_free "$port" && port_free "$((port + 1))" || continue
    swtpm socket --tpm2 --tpmstate dir="$work/tpm" \
      --server type=tcp,port="$port",bindaddr=127.0.0.1 --ctrl type=tcp,port="$((port + 1))",bindaddr=127.0.0.1 \
      --flags not-need-init,startup-clear --log file="$work/tpm/swtpm.log",level=1 &
    swtpm_pid=$!
    local i
    for i in $(seq 50); do
      if ! kill -0 "$swtpm_pid" 2>/dev/null; then swtpm_pid=""; break; fi
      if ! port_free "$port"; then tpm="mssim://127.0.0.1:$port"; return 0; fi
      sleep 0.1
    done
    [[ -n "$swtpm_pid" ]] && { kill "$swtpm_pid" 2>/dev/null || true; swtpm_pid=""; }
  done
  return 1
}

step "Building the keytrust CLI (first run only)"
./keytrust --version

if command -v swtpm >/dev/null && start_swtpm; then
  say "swtpm (pid $swtpm_pid) serves a TPM 2.0 at $tpm, state in $work/tpm"
else
  tpm=software
  say "no swtpm: the demo uses the software key provider (PIN-encrypted key, Argon2id)"
fi

store="$work/keys"
user="alice@lab.keytrust.test"
# a demo PIN, never printed; real PINs come from the terminal prompt or --pin-stdin
pin="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ' | cut -c1-6)"
while [[ ${#pin} -lt 6 ]]; do pin="${pin}7"; done

if [[ "$tpm" != software ]]; then
  step "keytrust tpm info --tpm $tpm"
  ./keytrust tpm info --tpm "$tpm"
fi

step "keytrust key create --user $user --tpm $tpm (PIN from stdin)"
printf '%s\n' "$pin" | ./keytrust key create --user "$user" --tpm "$tpm" --store "$store" --pin-stdin
./keytrust key show --user "$user" --store "$store" | sed -n '/-----BEGIN PUBLIC KEY-----/,/-----END PUBLIC KEY-----/p' >"$work/pub.pem"

step "Signing a sign-in challenge with the PIN, and verifying it with openssl"
challenge="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
echo "challenge: $challenge"
printf '%s\n' "$pin" | ./keytrust key sign --user "$user" --tpm "$tpm" --store "$store" --pin-stdin \
  --data-hex "$challenge" >"$work/sig.hex"
echo "signature: $(cut -c1-64 "$work/sig.hex")..."
unhex "$(cat "$work/sig.hex")" >"$work/sig"
unhex "$challenge" >"$work/challenge"
openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/sig" "$work/challenge"

step "A wrong PIN is refused (exit code 1) and the tries left are shown"
set +e
printf '%s\n' "0000" | ./keytrust key sign --user "$user" --tpm "$tpm" --store "$store" --pin-stdin --data-hex 00
echo "exit code: $?"
set -e

if [[ "$tpm" != software ]] && command -v tpm2_load >/dev/null; then
  step "The key is an ordinary TPM object: exported for tpm2-tools and loaded by tpm2_load"
  ./keytrust key export --user "$user" --store "$store" --tpm-blobs "$work/blobs"
  TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=${tpm##*:}" tpm2_load -C 0x81000001 \
    -u "$work/blobs/key.pub" -r "$work/blobs/key.priv" -c "$work/key.ctx"
  TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=${tpm##*:}" tpm2_flushcontext -t
fi

step "keytrust key delete --user $user"
./keytrust key delete --user "$user" --store "$store"
echo
echo "demo: done (swtpm stopped, temporary files removed). Next: ./keytrust --help, README.md."
