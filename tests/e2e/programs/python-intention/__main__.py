"""One Intention in the stack's cluster (consul-mesh:address, consul-mesh:token), one through an explicit provider."""
import pulumi
import pulumi_consul_mesh as mesh

config = pulumi.Config()

web_to_api = mesh.Intention(
    "web-to-api",
    source="web",
    destination="api",
    action="allow",
    description="web calls api (from Python)",
)

# Its token a secret config value (ACLs are off in the test clusters: any token is accepted).
dc2 = mesh.Provider("dc2", address=config.require("dc2Address"), token=config.require_secret("dc2Token"))
batch_to_db = mesh.Intention(
    "batch-to-db",
    source="batch",
    destination="db",
    action="deny",
    opts=pulumi.ResourceOptions(provider=dc2),
)

# An invoke through the explicit provider, asked once the intention exists (its output feeds the
# question): dc2 runs without ACLs, so without the intention the answer would be "allowed".
batch_may_call_db = mesh.check_intention_output(
    source="batch",
    destination=batch_to_db.destination,
    opts=pulumi.InvokeOutputOptions(provider=dc2),
)

pulumi.export("webToApiId", web_to_api.id)
pulumi.export("batchMayCallDb", batch_may_call_db.allowed)
pulumi.export("batchToDbAction", batch_to_db.action)
