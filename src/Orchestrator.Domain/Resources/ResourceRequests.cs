using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Resources;

/// <summary>The part of an object a write addresses: the main resource or its status subresource.</summary>
public enum Subresource
{
    Main,
    Status,
}

/// <summary>The patch formats the API accepts (by Content-Type).</summary>
public enum PatchType
{
    /// <summary><c>application/merge-patch+json</c>, RFC 7386.</summary>
    Merge,

    /// <summary><c>application/strategic-merge-patch+json</c>, what kubectl sends for built-in kinds.</summary>
    Strategic,

    /// <summary><c>application/json-patch+json</c>, RFC 6902.</summary>
    Json,
}

/// <summary>DeleteOptions that matter to the store: preconditions and the grace period.</summary>
public sealed record DeleteRequest(
    string? PreconditionUid = null,
    string? PreconditionResourceVersion = null,
    long? GracePeriodSeconds = null,
    string? PropagationPolicy = null);

/// <summary>What the store needs from the outside world to decide: the time and a fresh uid.</summary>
public sealed record DecisionContext(DateTimeOffset Now, string NewUid);

/// <summary>
/// The outcome of a decision: an event to persist (then <see cref="Result"/> is the object after
/// it), nothing to persist (<see cref="Event"/> null, <see cref="Result"/> the current object), or
/// a refusal (<see cref="Error"/>).
/// </summary>
public sealed record Decision(IResourceEvent? Event, JsonObject? Result, ApiError? Error)
{
    public static Decision Refuse(ApiError error) => new(null, null, error);

    public static Decision Persist(IResourceEvent e) => new(e, e.Object, null);

    public static Decision NoChange(JsonObject current) => new(null, current, null);
}
