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

pulumi.export("webToApiId", web_to_api.id)
pulumi.export("batchToDbAction", batch_to_db.action)
