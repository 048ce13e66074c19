using Akka.Cluster.Sharding;
using Akka.Configuration;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Hosting;

/// <summary>
/// The control plane's defaults and the namespaces every cluster has. Its actors and services are
/// wired by <see cref="ControlPlaneHosting"/>.
/// </summary>
public static class ControlPlane
{
    /// <summary>This assembly's <c>reference.conf</c>.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource<ResourceEntity>("Orchestrator.Cluster.reference.conf");

    /// <summary>Creates the namespaces every cluster has (idempotent: existing ones are left alone).</summary>
    public static async Task EnsureBuiltInNamespaces(ResourceStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        foreach (var name in NamespaceKind.BuiltIn)
        {
            try
            {
                await store.Create(NamespaceKind.Instance, "", new System.Text.Json.Nodes.JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Namespace",
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name },
                }, ct);
            }
            catch (ApiErrorException e) when (e.Error.Reason == "AlreadyExists")
            {
            }
        }
    }
}

/// <summary>Routes an <see cref="IResourceCommand"/> to the entity of its object.</summary>
public sealed class ResourceMessageExtractor(int numberOfShards) : HashCodeMessageExtractor(numberOfShards)
{
    public override string? EntityId(object message) => message switch
    {
        IResourceCommand c => c.Key.EntityId,
        _ => null,
    };
}
