using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.Cluster.Index;

/// <summary>What a list or watch selects: a kind, optionally one namespace, label and field selectors.</summary>
public sealed record ObjectFilter(string Kind, string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public static ObjectFilter All(string kind) => new(kind, null, LabelSelector.Everything, FieldSelector.Everything);

    public bool Matches(string kind, JsonObject obj) =>
        kind == Kind
        && (Namespace is null || obj.Namespace() == Namespace)
        && Labels.Matches(obj)
        && Fields.Matches(obj);
}

/// <summary>Lists the objects a filter selects once the index has seen the journal up to <paramref name="MinResourceVersion"/>.</summary>
public sealed record ListObjects(ObjectFilter Filter, long MinResourceVersion);

/// <summary>The answer to <see cref="ListObjects"/>: items (each with its resourceVersion) and the list's resourceVersion.</summary>
public sealed record ObjectList(IReadOnlyList<JsonObject> Items, long ResourceVersion);

/// <summary>
/// Starts a watch for <paramref name="Subscriber"/>. With no <paramref name="FromResourceVersion"/>
/// (or 0) the subscriber first gets an ADDED event for every object that matches now, then every
/// change; with one, it gets every change after that version, from memory or from the journal.
/// </summary>
public sealed record Watch(ObjectFilter Filter, long? FromResourceVersion, IActorRef Subscriber);

/// <summary>Ends a watch (also ended when the subscriber stops).</summary>
public sealed record Unwatch(IActorRef Subscriber);

/// <summary>One watch event: Added, Modified or Deleted, as in the Kubernetes watch protocol.</summary>
public sealed record WatchEvent(WatchEventType Type, JsonObject Object, long ResourceVersion);

/// <summary>Sent to a subscriber whose watch cannot go on (the journal could not be read).</summary>
public sealed record WatchEnded(ApiError Error);
