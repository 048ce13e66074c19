namespace Orchestrator.Domain.Resources;

/// <summary>
/// Identifies one object: its kind, namespace (empty for cluster-scoped kinds) and name.
/// <see cref="EntityId"/> is the sharding entity id and <see cref="PersistenceId"/> the journal
/// stream of that object; both are stable, so an object always lands in the same stream.
/// </summary>
public sealed record ResourceKey(string Kind, string Namespace, string Name)
{
    /// <summary>"ns/name" for namespaced objects, "name" for cluster-scoped ones (names never contain '/').</summary>
    public string EntityId => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";

    public string PersistenceId => $"{Kind}|{EntityId}";

    public static ResourceKey FromEntityId(string kind, string entityId)
    {
        var slash = entityId.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new ResourceKey(kind, "", entityId) : new ResourceKey(kind, entityId[..slash], entityId[(slash + 1)..]);
    }

    /// <summary>Parses a persistence id made by <see cref="PersistenceId"/>; null for any other stream.</summary>
    public static ResourceKey? FromPersistenceId(string persistenceId)
    {
        var bar = persistenceId.IndexOf('|', StringComparison.Ordinal);
        return bar <= 0 ? null : FromEntityId(persistenceId[..bar], persistenceId[(bar + 1)..]);
    }

    public override string ToString() => Namespace.Length == 0 ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}
