#!/bin/sh
# Set up a fresh Debian machine for the test suite (README's test command runs this, then pytest):
#  1. the Debian packages in tests/apt-packages.txt that are missing (needs root, or sudo);
#  2. feedstation itself, editable, with its test extras (pip);
#  3. every npm toolset under tests/npm/ into a cache outside the checkout (tests/npm_toolsets.py),
#     and the feedparser test corpus from PyPI (tests/corpora.py); later runs reuse both.
set -eu
cd "$(dirname "$0")/.."

missing=""
for pkg in $(sed -e 's/#.*//' tests/apt-packages.txt); do
  # A command of the package's name already on PATH counts too: NodeSource's nodejs package ships npm,
  # and Debian's npm package then conflicts with it ("held broken packages").
  command -v "$pkg" >/dev/null 2>&1 && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "tests/setup.sh: apt-get install$missing"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  # `env`, not a prefix assignment: sudo drops the caller's environment, and a debconf question would hang CI.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $missing >/dev/null
fi

# RSSHub's dependencies need Node.js >= 20.19 (this kind of machine ships NodeSource's 20.20). Debian 12's own
# nodejs is 18: then take Node.js 20 from the npm registry, whose `node` package ships the binary.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "tests/setup.sh: Node.js $(node --version) is older than 20.19: npm install -g node@20"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO npm install -g --no-audit --no-fund --loglevel=error node@20
  hash -r  # the new node is in /usr/local/bin, ahead of /usr/bin on PATH
  node --version
fi

python3 -m pip install --quiet -e ".[test]"
python3 -m tests.npm_toolsets
python3 -c "from tests.corpora import feedparser_corpus; print('feedparser corpus:', feedparser_corpus())"
