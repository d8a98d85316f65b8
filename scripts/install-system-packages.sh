#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (run as root or with sudo).
set -euo pipefail
packages=(python3 python3-venv python3-dev postgresql redis-server chromium fonts-dejavu-core
  janus janus-tools libjs-janus-gateway libjs-webrtc-adapter ffmpeg iproute2 util-linux gettext espeak-ng sox)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
