using System.Net;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Resources;

/// <summary>One cause of an <see cref="ApiError"/>: a field and what is wrong with it.</summary>
public sealed record ApiErrorCause(string Reason, string Message, string Field);

/// <summary>
/// A failure answered to an API client as a Kubernetes <c>Status</c> object
/// (<c>{"kind":"Status","status":"Failure","reason":"NotFound","code":404,...}</c>).
/// </summary>
public sealed record ApiError(
    int Code,
    string Reason,
    string Message,
    string? Kind = null,
    string? Name = null,
    string? Group = null,
    IReadOnlyList<ApiErrorCause>? Causes = null)
{
    public static ApiError NotFound(ResourceKind kind, string name) =>
        new((int)HttpStatusCode.NotFound, "NotFound", $"{kind.Plural}{GroupSuffix(kind)} \"{name}\" not found", kind.Plural, name, kind.Group);

    public static ApiError AlreadyExists(ResourceKind kind, string name) =>
        new((int)HttpStatusCode.Conflict, "AlreadyExists", $"{kind.Plural}{GroupSuffix(kind)} \"{name}\" already exists", kind.Plural, name, kind.Group);

    public static ApiError Conflict(ResourceKind kind, string name, string detail) =>
        new((int)HttpStatusCode.Conflict, "Conflict",
            $"Operation cannot be fulfilled on {kind.Plural}{GroupSuffix(kind)} \"{name}\": {detail}", kind.Plural, name, kind.Group);

    public static ApiError Invalid(ResourceKind kind, string name, IReadOnlyList<ApiErrorCause> causes) =>
        new(422, "Invalid",
            $"{kind.Kind}{GroupSuffix(kind)} \"{name}\" is invalid: " + string.Join(", ", causes.Select(c => c.Field.Length == 0 ? c.Message : $"{c.Field}: {c.Message}")),
            kind.Kind, name, kind.Group, causes);

    /// <summary>A path the server does not serve (no such kind, group or subresource).</summary>
    public static ApiError NoSuchPath() => new((int)HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");

    public static ApiError BadRequest(string message) => new((int)HttpStatusCode.BadRequest, "BadRequest", message);

    /// <summary>An object naming another namespace than its request (as the API server words it).</summary>
    public static ApiError NamespaceMismatch() => BadRequest("the namespace of the provided object does not match the namespace sent on the request");

    public static ApiError Forbidden(string message) => new((int)HttpStatusCode.Forbidden, "Forbidden", message);

    public static ApiError MethodNotAllowed(string message) => new((int)HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", message);

    public static ApiError Gone(string message) => new((int)HttpStatusCode.Gone, "Expired", message);

    public static ApiError Unauthorized() => new((int)HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");

    public static ApiError RequestTooLarge(long limit) =>
        new((int)HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge", $"the request body is larger than the limit of {limit} bytes");

    public static ApiError UnsupportedMediaType(string contentType) =>
        new((int)HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json (got \"{contentType}\")");

    public static ApiError Timeout(string message) => new(504, "Timeout", message);

    public static ApiError Internal(string message) => new((int)HttpStatusCode.InternalServerError, "InternalError", message);

    /// <summary>A request over its client's limits (429, as Kubernetes' API Priority and Fairness answers it).</summary>
    public static ApiError TooManyRequests(string message, int retryAfterSeconds) =>
        new(429, "TooManyRequests", message) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiError ServiceUnavailable(string message) => new((int)HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", message);

    /// <summary>
    /// How long a client should wait before it tries again (Status <c>details.retryAfterSeconds</c>
    /// and the <c>Retry-After</c> header, as Kubernetes answers 429, 503 and 504); null: no advice.
    /// </summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>A write refused because the journal (the cluster's store) does not answer: nothing was applied.</summary>
    public static ApiError JournalUnavailableNotApplied(string detail, int retryAfterSeconds) =>
        ServiceUnavailable($"the journal (the cluster's store) is unavailable, so the change was not applied; retry in a few seconds ({detail})") with { RetryAfterSeconds = retryAfterSeconds };

    /// <summary>A read that needs the journal (a consistent list, the journal head) while it does not answer.</summary>
    public static ApiError JournalUnavailableForRead(string detail, int retryAfterSeconds) =>
        ServiceUnavailable($"the journal (the cluster's store) is unavailable, so a consistent read cannot be served; retry in a few seconds, or list with resourceVersion=0 for this member's possibly stale copy ({detail})") with { RetryAfterSeconds = retryAfterSeconds };

    /// <summary>A write that got no answer in time: it may or may not have been applied.</summary>
    public static ApiError WriteOutcomeUnknown(string detail, int retryAfterSeconds) =>
        Timeout($"{detail}: the change may or may not have been applied; read the object before retrying it") with { RetryAfterSeconds = retryAfterSeconds };

    private static string GroupSuffix(ResourceKind kind) => kind.Group.Length == 0 ? "" : "." + kind.Group;

    /// <summary>The Kubernetes <c>Status</c> object for this error.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
            ["code"] = Code,
        };
        if (Kind is not null || Name is not null || Causes is not null || RetryAfterSeconds is not null)
        {
            var details = new JsonObject();
            if (RetryAfterSeconds is { } retry) details["retryAfterSeconds"] = retry;
            if (Name is not null) details["name"] = Name;
            if (!string.IsNullOrEmpty(Group)) details["group"] = Group;
            if (Kind is not null) details["kind"] = Kind;
            if (Causes is not null)
            {
                details["causes"] = new JsonArray(Causes
                    .Select(c => (JsonNode)new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field })
                    .ToArray());
            }
            status["details"] = details;
        }
        return status;
    }
}

/// <summary>Thrown by pure domain code for a request that must be refused with <see cref="Error"/>.</summary>
public sealed class ApiErrorException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
