#!/usr/bin/env bash
# Opens a leno report page in headless Chromium from file:// with the network disabled, then checks
# (scripts/BrowserCheck.java) that the page rendered every chart with no console error or warning and
# no request, that hovering each chart shows a tooltip (the page does it when its URL ends in #check),
# and that a screenshot is not blank.
# Usage: scripts/browser_check.sh PAGE [SCREENSHOT.png]   (needs chromium and a JDK; the screenshot is
# 1400x2400 unless LENO_SHOT_SIZE=W,H)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
page="$(realpath "$1")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
shot="${2:-$work/screenshot.png}"
chrome="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$chrome" ] || { echo "browser_check: no chromium (apt-get install -y chromium)" >&2; exit 1; }

# Every request goes to a proxy that is not there (also for loopback addresses), and the background
# services that would phone home are off.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --no-default-browser-check
       --disable-background-networking --disable-component-update --disable-sync --disable-extensions
       --disable-default-apps --metrics-recording-only --hide-scrollbars
       --proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>'
       --virtual-time-budget=10000)

"$chrome" "${flags[@]}" --user-data-dir="$work/profile1" --dump-dom "file://$page#check" > "$work/dom.html" 2> "$work/chrome.log"
"$chrome" "${flags[@]}" --user-data-dir="$work/profile2" --window-size="${LENO_SHOT_SIZE:-1400,2400}" --screenshot="$shot" "file://$page" \
    >> "$work/chrome.log" 2>&1
if ! java "$here/BrowserCheck.java" "$work/dom.html" "$shot"; then
    echo "--- chromium's log:" >&2
    tail -20 "$work/chrome.log" >&2
    exit 1
fi
