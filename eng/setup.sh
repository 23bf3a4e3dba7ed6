#!/usr/bin/env bash
# Installs what Pipeline.Cloud needs from the OS, once: PostgreSQL and RabbitMQ (Debian packages) when
# no container runtime is present, an SMTP server that keeps the mail locally (python3-aiosmtpd: the run's
# outgoing e-mail and the mail tests), Chromium for the browser tests.
# Idempotent: installs only what is missing. Needs root (or sudo) the first time on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[setup] $*"; }

if ! command -v dotnet >/dev/null; then
  echo "[setup] the .NET SDK is required (https://dot.net); it is the only prerequisite" >&2
  exit 1
fi

packages=(postgresql rabbitmq-server python3-aiosmtpd)
[[ "${PIPELINE_SETUP_TEST_TOOLS:-0}" == 1 ]] && packages+=(chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian packages start system-wide servers when systemd runs; Pipeline.Cloud runs its own private
# instances (eng/infra/*.sh) on other ports, so the system ones are left alone.
# An incremental build with nothing to do still takes 15-30 s on two cores: skip it when no source, project or
# build file changed since the last successful build (a stamp taken when that build started).
configuration=${CONFIGURATION:-Debug}
stamp=artifacts/.built-$configuration
changed=$(find services gateway apphost tests Directory.Build.props Directory.Packages.props global.json Pipeline.Cloud.sln dotnet-tools.json \
  -type f -newer "$stamp" -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/TestResults/*' -print -quit 2>/dev/null || echo unknown)
if [[ -f $stamp && -z $changed ]]; then
  log "build is up to date"
else
  log "restoring and building"
  mkdir -p artifacts
  touch "$stamp.next"
  # The local tools (dotnet-ef for migrations, nswag, which a web test runs to check the generated API client).
  dotnet tool restore >/dev/null
  dotnet build Pipeline.Cloud.sln -c "$configuration" -nologo -v:q "-clp:ErrorsOnly;NoSummary"
  mv "$stamp.next" "$stamp"
fi
