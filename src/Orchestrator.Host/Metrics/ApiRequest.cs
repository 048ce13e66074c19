namespace Orchestrator.Host.Metrics;

/// <summary>
/// What an API request does, as Kubernetes' apiserver labels its metrics: the verb (get, list,
/// watch, create, update, patch, delete, deletecollection) and the resource (<c>pods</c>,
/// <c>deployments/scale</c>, <c>pods/log</c>). Pure: read from the method, the path and the query.
/// </summary>
public sealed record ApiRequest(string Verb, string Resource)
{
    /// <summary>The request's verb and resource; null for a path outside <c>/api</c> and <c>/apis</c> or for discovery.</summary>
    public static ApiRequest? Of(string method, string path, bool watch)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        int start;
        if (segments.Length >= 2 && segments[0] == "api") start = 2;
        else if (segments.Length >= 3 && segments[0] == "apis") start = 3;
        else return null;
        var rest = segments.AsSpan(start);
        if (rest.Length == 0) return null;
        string resource;
        bool named;
        string? subresource;
        if (rest[0] == "namespaces" && rest.Length >= 3)
        {
            resource = rest[2];
            named = rest.Length >= 4;
            subresource = rest.Length >= 5 ? rest[4] : null;
        }
        else
        {
            resource = rest[0];
            named = rest.Length >= 2;
            subresource = rest.Length >= 3 ? rest[2] : null;
        }
        var verb = method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" => watch ? "watch" : named ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => named ? "delete" : "deletecollection",
            _ => method.ToLowerInvariant(),
        };
        return new ApiRequest(verb, subresource is null ? resource : $"{resource}/{subresource}");
    }
}
