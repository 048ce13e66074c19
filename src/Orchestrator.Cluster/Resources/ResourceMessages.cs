using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Resources;

/// <summary>A command to one object's entity; <see cref="Key"/> routes it through sharding.</summary>
public interface IResourceCommand : IClusterMessage
{
    ResourceKey Key { get; }
}

public sealed record GetResource(ResourceKey Key) : IResourceCommand;

/// <summary>
/// A change to one object. With <see cref="DryRun"/> (the API's <c>dryRun=All</c>) the entity
/// decides as always (admission, validation, defaults, conflicts) and answers the object it would
/// store, but persists nothing.
/// </summary>
public interface IResourceChange : IResourceCommand
{
    bool DryRun { get; }
}

public sealed record CreateResource(ResourceKey Key, JsonObject Object, bool DryRun = false) : IResourceChange;

public sealed record ReplaceResource(ResourceKey Key, JsonObject Object, Subresource Subresource, bool DryRun = false) : IResourceChange;

public sealed record PatchResource(ResourceKey Key, PatchType PatchType, JsonNode Patch, Subresource Subresource, string Change = "patched", bool DryRun = false) : IResourceChange;

public sealed record DeleteResource(ResourceKey Key, DeleteRequest Request, bool DryRun = false) : IResourceChange;

/// <summary>Binds a pod to a node (the <c>pods/{name}/binding</c> subresource).</summary>
public sealed record BindPod(ResourceKey Key, string NodeName) : IResourceCommand;

/// <summary>The answer to every <see cref="IResourceCommand"/>: the object (with its resourceVersion) or an error.</summary>
public sealed record ResourceReply(JsonObject? Object, ApiError? Error) : IClusterMessage;
