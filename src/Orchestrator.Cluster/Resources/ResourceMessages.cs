using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Resources;

/// <summary>A command to one object's entity; <see cref="Key"/> routes it through sharding.</summary>
public interface IResourceCommand : IClusterMessage
{
    ResourceKey Key { get; }
}

public sealed record GetResource(ResourceKey Key) : IResourceCommand;

public sealed record CreateResource(ResourceKey Key, JsonObject Object) : IResourceCommand;

public sealed record ReplaceResource(ResourceKey Key, JsonObject Object, Subresource Subresource) : IResourceCommand;

public sealed record PatchResource(ResourceKey Key, PatchType PatchType, JsonNode Patch, Subresource Subresource, string Change = "patched") : IResourceCommand;

public sealed record DeleteResource(ResourceKey Key, DeleteRequest Request) : IResourceCommand;

/// <summary>Binds a pod to a node (the <c>pods/{name}/binding</c> subresource).</summary>
public sealed record BindPod(ResourceKey Key, string NodeName) : IResourceCommand;

/// <summary>The answer to every <see cref="IResourceCommand"/>: the object (with its resourceVersion) or an error.</summary>
public sealed record ResourceReply(JsonObject? Object, ApiError? Error) : IClusterMessage;
