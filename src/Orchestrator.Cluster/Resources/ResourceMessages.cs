using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Resources;

/// <summary>A command to one object's entity; <see cref="Key"/> routes it through sharding.</summary>
public interface IResourceCommand : IClusterMessage
{
    ResourceKey Key { get; }
}

public sealed record GetResource(ResourceKey Key) : IResourceCommand;

// The changes below carry DryRun (the API's dryRun=All): the entity decides as always (admission,
// validation, defaults, conflicts) and answers the object it would store, but persists nothing.

public sealed record CreateResource(ResourceKey Key, JsonObject Object, bool DryRun = false) : IResourceCommand;

public sealed record ReplaceResource(ResourceKey Key, JsonObject Object, Subresource Subresource, bool DryRun = false) : IResourceCommand;

public sealed record PatchResource(ResourceKey Key, PatchType PatchType, JsonNode Patch, Subresource Subresource, string Change = "patched", bool DryRun = false) : IResourceCommand;

public sealed record DeleteResource(ResourceKey Key, DeleteRequest Request, bool DryRun = false) : IResourceCommand;

/// <summary>Binds a pod to a node (the <c>pods/{name}/binding</c> subresource).</summary>
public sealed record BindPod(ResourceKey Key, string NodeName) : IResourceCommand;

/// <summary>The answer to every <see cref="IResourceCommand"/>: the object (with its resourceVersion) or an error.</summary>
public sealed record ResourceReply(JsonObject? Object, ApiError? Error) : IClusterMessage;
