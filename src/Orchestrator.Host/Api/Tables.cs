using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api;

/// <summary>
/// Server-side printing: the <c>meta.k8s.io/v1 Table</c> kubectl asks for (<c>Accept: ...;as=Table</c>)
/// so <c>kubectl get</c> shows each kind's own columns.
/// </summary>
internal static class Tables
{
    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Build(ResourceKind kind, IEnumerable<JsonObject> objects, string resourceVersion, DateTimeOffset now, bool includeColumns = true)
    {
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
        };
        table["columnDefinitions"] = includeColumns
            ? new JsonArray(kind.Columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            }).ToArray())
            : new JsonArray();
        table["rows"] = new JsonArray(objects.Select(o => (JsonNode)new JsonObject
        {
            ["cells"] = new JsonArray(kind.Row(o, now).Select(Cell).ToArray()),
            ["object"] = new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = o["metadata"]?.DeepClone(),
            },
        }).ToArray());
        return table;
    }

    private static JsonNode? Cell(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        bool b => JsonValue.Create(b),
        _ => JsonValue.Create(value.ToString()),
    };
}
