import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as mesh from "consul-mesh";

// Declares whatever the JSON file named by config `file` lists: [{ kind, name, args }], where kind is
// any resource or component consul-mesh exports. Args go to the constructor untouched (the bad-input
// sweep feeds invalid ones through this program; the concurrency tests feed valid ones).
type Ctor = new (name: string, args: never) => pulumi.Resource;
const kinds: Record<string, Ctor> = {
    Intention: mesh.Intention,
    ServiceIntentions: mesh.ServiceIntentions,
    ServiceDefaults: mesh.ServiceDefaults,
    MeshPolicy: mesh.MeshPolicy,
    CaConfiguration: mesh.CaConfiguration,
    PeeringToken: mesh.PeeringToken,
    Peering: mesh.Peering,
    ExportedServices: mesh.ExportedServices,
    ClusterPeering: mesh.ClusterPeering,
    AclBootstrap: mesh.AclBootstrap,
};
const declared = JSON.parse(fs.readFileSync(new pulumi.Config().require("file"), "utf8")) as Array<{ kind: string; name: string; args: never }>;
for (const { kind, name, args } of declared) {
    const ctor = kinds[kind];
    if (!ctor) throw new Error(`unknown kind ${kind}`);
    new ctor(name, args);
}
export const count = declared.length;
