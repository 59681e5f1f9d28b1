// `npx ts-node --transpile-only bench/overhead.ts [--runs N]`: what one dynamic-provider process
// costs before and per call, in parts, each measured in fresh `node` processes (median of N):
//   node start; the host's own modules (what @pulumi/pulumi's cmd/dynamic-provider loads before
//   any resource code: gRPC, protobuf, the runtime); consul-mesh's provider module for one kind
//   (cold, and with Node's compile cache warm); the first __provider text evaluated (once per
//   distinct text); and per call, check + diff of one Intention against the no-op provider's.
// Also the resident memory of each stage. Needs `npm run build` (it loads dist/). Prints a markdown table.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repo = path.resolve(__dirname, "..");
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;

const HOST_MODULES = [
    "source-map-support/register",
    "@grpc/grpc-js",
    "@pulumi/pulumi/runtime/rpc",
    "@pulumi/pulumi/proto/provider_grpc_pb",
    "@pulumi/pulumi/proto/provider_pb",
    "@pulumi/pulumi/runtime",
    "require-from-string",
];

/** Runs `script` in a fresh node and returns what it prints as a number (ms), median of `runs`. */
function measure(script: string, env: NodeJS.ProcessEnv = {}): number {
    const values: number[] = [];
    for (let i = 0; i < runs; i++) {
        const out = execFileSync(process.execPath, ["-e", script], { cwd: repo, env: { ...process.env, ...env }, encoding: "utf8" });
        values.push(Number(out.trim().split("\n").pop()));
    }
    values.sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
}

const now = "Number(process.hrtime.bigint())/1e6";
const host = HOST_MODULES.map((m) => `require(${JSON.stringify(m)});`).join("");
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "consul-mesh-compile-cache-"));

const nodeStart = (() => {
    const values: number[] = [];
    for (let i = 0; i < runs; i++) {
        const t = process.hrtime.bigint();
        execFileSync(process.execPath, ["-e", "0"]);
        values.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
})();
const hostLoad = measure(`const t=${now};${host}console.log(${now}-t)`);
const ours = `${host}const t=${now};require("./dist/provider").providers.Intention;console.log(${now}-t)`;
const oursAll = `${host}const t=${now};const p=require("./dist/provider").providers;for(const k of Object.keys(p))p[k];console.log(${now}-t)`;
const oursCold = measure(ours);
const oursAllKinds = measure(oursAll);
measure(ours, { NODE_COMPILE_CACHE: cacheDir }); // fills the cache
const oursWarm = measure(ours, { NODE_COMPILE_CACHE: cacheDir });
const perCall = measure(`${host}
const pulumi=require("@pulumi/pulumi");
const {providerShim}=require("./dist/sdk/provider-shim");
(async()=>{
  const p=providerShim("Intention");
  const text=(await pulumi.runtime.serializeFunction(()=>p,{allowSecrets:true})).text;
  const rfs=require("require-from-string");
  const prov=rfs(text).handler();
  const inputs={source:"web",destination:"api",action:"allow"};
  await prov.check({},inputs); await prov.diff("web=>api",inputs,inputs);
  const n=300; const t=${now};
  for(let i=0;i<n;i++){await prov.check(inputs,inputs);await prov.diff("web=>api",inputs,inputs);}
  console.log((${now}-t)/n);
})()`);
const firstText = measure(`${host}
const pulumi=require("@pulumi/pulumi");
const {providerShim}=require("./dist/sdk/provider-shim");
(async()=>{
  const p=providerShim("Intention");
  const text=(await pulumi.runtime.serializeFunction(()=>p,{allowSecrets:true})).text;
  const rfs=require("require-from-string");
  const t=${now}; rfs(text).handler(); console.log(${now}-t);
})()`);
const noopPerCall = measure(`
const noop={check:(o,n)=>Promise.resolve({inputs:n}),diff:(id,o,n)=>Promise.resolve({changes:JSON.stringify(o)!==JSON.stringify(n)})};
(async()=>{const inputs={key:"k",policy:{source:"web",destination:"api",action:"allow"}};const n=300;const t=${now};
for(let i=0;i<n;i++){await noop.check(inputs,inputs);await noop.diff("k",inputs,inputs);}console.log((${now}-t)/n);})()`);
const rss = "process.memoryUsage().rss/2**20";
const rssNode = measure(`console.log(${rss})`);
const rssHost = measure(`${host}console.log(${rss})`);
const rssOurs = measure(`${host}require("./dist/provider").providers.Intention;console.log(${rss})`);
fs.rmSync(cacheDir, { recursive: true, force: true });

const f = (ms: number) => ms.toFixed(ms < 10 ? 2 : 0);
console.log(`| part (median of ${runs} fresh processes) | ms |`);
console.log("|---|---:|");
console.log(`| node start (\`node -e 0\`) | ${f(nodeStart)} |`);
console.log(`| the dynamic-provider host's own modules (gRPC, protobuf, Pulumi runtime) | ${f(hostLoad)} |`);
console.log(`| consul-mesh provider for one kind (Intention), cold | ${f(oursCold)} |`);
console.log(`| consul-mesh provider, every kind loaded (before lazy loading, every process paid this) | ${f(oursAllKinds)} |`);
console.log(`| consul-mesh provider for one kind, Node compile cache warm | ${f(oursWarm)} |`);
console.log(`| evaluating one \`__provider\` text (once per distinct text per process) | ${f(firstText)} |`);
console.log(`| per call: Intention check + diff | ${f(perCall)} |`);
console.log(`| per call: no-op check + diff | ${f(noopPerCall)} |`);
console.log(
    `| RSS MB: bare node / with the host's modules / plus consul-mesh's Intention provider | ${f(rssNode)} / ${f(rssHost)} / ${f(rssOurs)} |`,
);
console.log(
    `\nload average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join("/")}, node ${process.version}`,
);
