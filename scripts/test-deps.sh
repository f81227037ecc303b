#!/usr/bin/env bash
# Installs what the tests need beyond Go, only where it is missing: Debian's
# chromium with a Latin and a Chinese font (so zh-CN pages render real glyphs)
# and the npm packages pinned in package-lock.json for the browser tests in
# e2e/browser, and slapd with ldap-utils for the LDAP tests
# (internal/testkit/slapdtest). Nothing is downloaded at test time; run this
# once (CI runs it every time).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
for pkg in fonts-liberation fonts-wqy-microhei slapd ldap-utils; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	# The tests run slapd with a configuration of their own: the package must
	# not create a default database or start a daemon.
	echo 'slapd slapd/no_configuration boolean true' | "${sudo[@]}" debconf-set-selections
	echo "test-deps: installing ${missing[*]} with apt-get"
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
