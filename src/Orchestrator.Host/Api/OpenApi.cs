using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api;

/// <summary>
/// A small OpenAPI v3 discovery (<c>/openapi/v3</c> and one document per group-version). It lists
/// every kind's paths and operations with their group-version-kind and the <c>fieldValidation</c>
/// parameter, which tells kubectl that this server validates fields itself (kubectl then sends
/// <c>fieldValidation=Strict</c> instead of validating against a schema on the client).
/// </summary>
internal static class OpenApi
{
    public static IEnumerable<string> GroupVersionPaths =>
        ResourceKinds.Served.Select(k => k.Group.Length == 0 ? "api/v1" : $"apis/{k.Group}/v1").Distinct();

    public static JsonObject Index() => new()
    {
        ["paths"] = new JsonObject(GroupVersionPaths.Select(p =>
            new KeyValuePair<string, JsonNode?>(p, new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{p}" }))),
    };

    public static JsonObject? Document(string groupVersionPath)
    {
        var kinds = ResourceKinds.Served.Where(k => (k.Group.Length == 0 ? "api/v1" : $"apis/{k.Group}/v1") == groupVersionPath).ToList();
        if (kinds.Count == 0) return null;
        var paths = new JsonObject();
        foreach (var kind in kinds)
        {
            var prefix = "/" + groupVersionPath + (kind.Namespaced ? "/namespaces/{namespace}" : "");
            // kubectl looks for fieldValidation among the parameters of the PATCH operation itself.
            paths[$"{prefix}/{kind.Plural}"] = new JsonObject
            {
                ["get"] = Operation(kind, "list", kind.Namespaced, named: false),
                ["post"] = Operation(kind, "create", kind.Namespaced, named: false),
                ["delete"] = Operation(kind, "deletecollection", kind.Namespaced, named: false),
            };
            paths[$"{prefix}/{kind.Plural}/{{name}}"] = new JsonObject
            {
                ["get"] = Operation(kind, "get", kind.Namespaced, named: true),
                ["put"] = Operation(kind, "update", kind.Namespaced, named: true),
                ["patch"] = Operation(kind, "patch", kind.Namespaced, named: true),
                ["delete"] = Operation(kind, "delete", kind.Namespaced, named: true),
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Orchestrator", ["version"] = "v1.30.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static JsonObject Operation(ResourceKind kind, string action, bool namespaced, bool named) => new()
    {
        ["parameters"] = Parameters(namespaced, named),
        ["operationId"] = $"{action}{kind.Kind}",
        ["x-kubernetes-action"] = action,
        ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = kind.Group, ["version"] = kind.Version, ["kind"] = kind.Kind },
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
    };

    private static JsonArray Parameters(bool namespaced, bool named)
    {
        var parameters = new JsonArray();
        if (named) parameters.Add(Parameter("name", "path"));
        if (namespaced) parameters.Add(Parameter("namespace", "path"));
        parameters.Add(Parameter("fieldValidation", "query"));
        parameters.Add(Parameter("fieldManager", "query"));
        parameters.Add(Parameter("dryRun", "query"));
        return parameters;
    }

    private static JsonObject Parameter(string name, string location) => new()
    {
        ["name"] = name,
        ["in"] = location,
        ["required"] = location == "path",
        ["schema"] = new JsonObject { ["type"] = "string" },
    };
}
