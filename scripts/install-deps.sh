#!/usr/bin/env bash
# Installs what keytrust's build, tests and demo need, when missing: Java 17+ and Maven to build,
# swtpm/swtpm_setup/swtpm_localca (TPM simulator, EK certificates), tpm2-tools (tpm2_load), openssl, Samba with winbind and
# ldb-tools (the lab's Active Directory domain controller, SambaDc), debootstrap (builds the lab
# KDC's Debian chroot, KeyTrustKdc) and MIT's Kerberos clients (krb5-user: klist, kvno against the
# lab KDC) and pamtester (the PAM tests of keytrust pam-auth). Debian/Ubuntu (apt-get),
# as root or through sudo. Prints the tool versions. Used by scripts/test.sh and scripts/demo.sh.
set -euo pipefail

say() { echo "install-deps.sh: $*" >&2; }

packages=()
need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || packages+=("$2")
}
need java default-jdk-headless
need mvn maven
need swtpm swtpm
need swtpm_setup swtpm-tools
# the lab TPM manufacturer's local CA (EK certificates): swtpm_localca, and certtool, which it runs
need swtpm_localca swtpm-tools
need certtool gnutls-bin
need tpm2_load tpm2-tools
need openssl openssl
need samba samba
need samba-tool samba
need ldbmodify ldb-tools
need winbindd winbind
need debootstrap debootstrap
need klist krb5-user
need kvno krb5-user
need pamtester pamtester

if ((${#packages[@]} > 0)); then
  # deduplicate, keep order
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')
  say "installing ${packages[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    say "missing ${packages[*]}: run as root or install sudo, or install them yourself:"
    say "  apt-get update && apt-get install -y ${packages[*]}"
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${packages[*]}, and this is not a Debian/Ubuntu system (no apt-get): install them yourself."
    exit 1
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
fi

# first line of a tool's version output (some tools exit non-zero after printing it)
version() {
  local line
  line="$("$@" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' | sed -n 1p)" || true
  echo "  ${line:-$1: no version output}" >&2
}
say "tool versions:"
version java -version
version mvn -B -v
version swtpm --version
version swtpm_setup --version
version tpm2_load --version
version openssl version
version samba --version
version debootstrap --version
