# Sourced by developers' shells (and .ci/run): puts Node.js 22 on PATH when the machine's is
# older. The project's devDependency `node` (from the npm registry, the only place these
# machines may download from) provides it after `npm install`; before that, a copy is fetched into
# .tools/. npm scripts need none of this: npm puts node_modules/.bin (and its node) first.
cairn_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 22 ]; then
  if [ -x "$cairn_root/node_modules/node/bin/node" ]; then
    export PATH="$cairn_root/node_modules/node/bin:$PATH"
  else
    tools="$cairn_root/.tools/node22"
    [ -x "$tools/node_modules/node/bin/node" ] || npm install --prefix "$tools" --no-save --loglevel=error node@22 >/dev/null
    export PATH="$tools/node_modules/node/bin:$PATH"
  fi
fi
