using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api;

/// <summary>How a delete is asked for: the query's and the DeleteOptions body's options, as Kubernetes reads them.</summary>
internal sealed partial class ResourceApi
{
    /// <summary>The delete's options from the query and the DeleteOptions body, and whether it is a dry run
    /// (kubectl sends <c>dryRun: [All]</c> in the body, other clients <c>?dryRun=All</c>).</summary>
    private async Task<(DeleteRequest Request, bool DryRun)> ReadDeleteRequest(HttpContext http)
    {
        var query = http.Request.Query;
        var dryRun = DryRun(http);
        var grace = QueryParameters.Long(http, "gracePeriodSeconds");
        var propagation = query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : null;
        string? uid = null, rv = null;
        if (await bodies.ReadDeleteOptions(http) is { } options)
        {
            if (options["gracePeriodSeconds"] is { } gs)
                grace = gs.GetLong() ?? throw new ApiErrorException(ApiError.BadRequest("gracePeriodSeconds in DeleteOptions must be a whole number"));
            propagation = OptionalString(options, "propagationPolicy") ?? propagation;
            var preconditions = options["preconditions"] switch
            {
                null => null,
                JsonObject o => o,
                _ => throw new ApiErrorException(ApiError.BadRequest("preconditions in DeleteOptions must be an object")),
            };
            uid = OptionalString(preconditions, "uid");
            rv = OptionalString(preconditions, "resourceVersion");
            dryRun |= options["dryRun"] switch
            {
                null => false,
                JsonArray values => values.Count > 0 && values.All(v => QueryParameters.IsDryRun(v is JsonValue value && value.TryGetValue<string>(out var text) ? text : null)),
                _ => throw new ApiErrorException(ApiError.BadRequest("dryRun in DeleteOptions must be a list of strings")),
            };
        }
        if (propagation is not null and not ("Orphan" or "Background" or "Foreground"))
            throw new ApiErrorException(ApiError.BadRequest($"propagationPolicy \"{propagation}\" is invalid: supported values: \"Orphan\", \"Background\", \"Foreground\""));
        return (new DeleteRequest(uid, rv, grace, propagation), dryRun);
    }

    /// <summary>A string member of DeleteOptions: null when absent, a 400 when of another type (as Go's decoder refuses it).</summary>
    private static string? OptionalString(JsonObject? obj, string name) => obj?[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        _ => throw new ApiErrorException(ApiError.BadRequest($"{name} in DeleteOptions must be a string")),
    };
}
