#!/usr/bin/env bash
# Installs Debian's chromium when no headless browser is on PATH, so the
# timeline browser test (timeline/browser_test.go) runs instead of skipping.
# Idempotent and quiet: prints nothing when chromium is already there, one
# line when it installs it. Exit status 0 unless the install failed.
set -euo pipefail

for b in chromium chromium-browser google-chrome google-chrome-stable; do
	if command -v "$b" >/dev/null 2>&1; then
		exit 0
	fi
done

if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: no chromium and no apt-get; the browser test will skip" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
		echo "ensure-chromium: not root and no sudo; cannot install chromium" >&2
		exit 1
	fi
fi
echo "ensure-chromium: installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "ensure-chromium: installing chromium failed" >&2
	exit 1
fi
command -v chromium >/dev/null 2>&1
