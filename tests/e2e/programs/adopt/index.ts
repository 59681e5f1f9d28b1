import * as mesh from "consul-mesh";

// Takes over objects made outside Pulumi (the `import` option does not work for dynamic resources).
new mesh.Intention("legacy-pair", { source: "old-web", destination: "old-api", action: "allow", adopt: true });
new mesh.ServiceIntentions("legacy-entry", {
    destination: "old-db",
    sources: [
        { name: "old-api", action: "allow" },
        { name: "*", action: "deny" },
    ],
    adopt: true,
});
