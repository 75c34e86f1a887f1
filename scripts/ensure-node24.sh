# Sourced by .ci/run and scripts/start.sh: puts a Node 24 first on PATH,
# installing it from the npm registry into ~/.local/node24 when the machine's
# own node is another version (Debian's machines ship Node 20).
node_major() { "$1" --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }

if [ "$(node_major node || true)" != "24" ]; then
  NODE24_PREFIX="${HOME}/.local/node24"
  if [ "$(node_major "${NODE24_PREFIX}/bin/node" || true)" != "24" ]; then
    echo "duplex: installing Node 24 into ${NODE24_PREFIX}"
    npm install -g --prefix "${NODE24_PREFIX}" node@24
  fi
  export PATH="${NODE24_PREFIX}/bin:${PATH}"
fi
echo "duplex: using node $(node --version), npm $(npm --version)"
