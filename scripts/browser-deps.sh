#!/usr/bin/env bash
# Installs what the browser tests in e2e/browser need, only where it is
# missing: Debian's chromium with a Latin and a Chinese font (so zh-CN pages
# render real glyphs), and the npm packages pinned in package-lock.json.
# Nothing is downloaded at test time; run this once (CI runs it every time).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
for pkg in fonts-liberation fonts-wqy-microhei; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	echo "browser-deps: installing ${missing[*]} with apt-get"
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# npm ci wipes node_modules, so it runs only when the lock file changed since
# the last install (the copy in node_modules says which one was installed).
cd e2e/browser
if ! cmp -s package-lock.json node_modules/.installed-package-lock.json; then
	npm ci --no-audit --no-fund
	cp package-lock.json node_modules/.installed-package-lock.json
fi
