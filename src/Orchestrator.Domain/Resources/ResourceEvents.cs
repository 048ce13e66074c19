using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Resources;

/// <summary>
/// Marker of everything an object's journal holds. Every event carries the whole object as it is
/// after the change, so state, list index and watch are rebuilt from the journal alone. The
/// object's <c>resourceVersion</c> is not in the payload: it is the event's position in the
/// journal, known only once the event is written.
/// </summary>
public interface IResourceEvent
{
    JsonObject Object { get; }
}

/// <summary>An object came into being (POST).</summary>
public sealed record ResourceCreated(JsonObject Object) : IResourceEvent;

/// <summary>
/// An object changed. <paramref name="Change"/> says how, for people reading its history:
/// "replaced", "patched", "status", "scaled", "bound", "deletion-requested", "finalizers".
/// </summary>
public sealed record ResourceUpdated(JsonObject Object, string Change) : IResourceEvent;

/// <summary>An object is gone; <see cref="Object"/> is its last state.</summary>
public sealed record ResourceDeleted(JsonObject Object) : IResourceEvent;
