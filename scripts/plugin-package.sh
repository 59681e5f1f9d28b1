#!/usr/bin/env bash
# npm run plugin:package [-- OUT.tar.gz]: a self-contained archive of the provider plugin for
# `pulumi plugin install resource consul-mesh <version> --file OUT.tar.gz`. The package as npm packs
# it (a fresh build), with its dependencies and @pulumi/pulumi installed inside (the plugin cache
# holds no program's node_modules to resolve them from), and `pulumi-resource-consul-mesh` at the
# top, where the engine looks for it. Needs node >= 22.19 on PATH when the plugin runs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=$(node -p 'require(process.argv[1]).version' "$root/package.json")
out=${1:-"$root/consul-mesh-plugin-v$version.tar.gz"}
[[ "$out" = /* ]] || out="$PWD/$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

(cd "$root" && npm pack --silent --pack-destination "$stage" >/dev/null)
tar -xzf "$stage"/consul-mesh-"$version".tgz -C "$stage"
pulumi_version=$(node -p 'require(process.argv[1]).version' "$root/node_modules/@pulumi/pulumi/package.json")
# Only what the plugin runs with: no dev dependencies, no lifecycle scripts; @pulumi/pulumi (a peer of
# the package) at the version this repository builds and tests with.
node -e 'const f=process.argv[1],p=require(f);delete p.devDependencies;delete p.scripts;require("fs").writeFileSync(f,JSON.stringify(p,null,2))' \
  "$stage/package/package.json"
(cd "$stage/package" &&
  npm install --omit=dev --no-audit --no-fund --no-package-lock --prefer-offline --ignore-scripts \
    "@pulumi/pulumi@$pulumi_version" >/dev/null)
tar -czf "$out" -C "$stage/package" .
echo "$out"
