using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Resources;

/// <summary>
/// Finds the fields of a request that the kind's schema does not know, by comparing the request
/// with its normalized form (decoded into the typed shape and back, which drops unknown fields).
/// Used for <c>fieldValidation=Strict</c> (refuse) and <c>Warn</c> (warning header), as Kubernetes does.
/// </summary>
public static class UnknownFields
{
    public static IReadOnlyList<string> Find(JsonNode? requested, JsonNode? normalized)
    {
        var found = new List<string>();
        Walk(requested, normalized, "", found);
        return found;
    }

    private static void Walk(JsonNode? requested, JsonNode? normalized, string path, List<string> found)
    {
        switch (requested)
        {
            case JsonObject obj:
                var known = normalized as JsonObject;
                foreach (var (key, value) in obj)
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (known is null || !known.ContainsKey(key))
                    {
                        if (value is not null && !IsEmpty(value)) found.Add(child);
                        continue;
                    }
                    Walk(value, known[key], child, found);
                }
                break;
            case JsonArray array when normalized is JsonArray knownArray:
                for (var i = 0; i < array.Count && i < knownArray.Count; i++) Walk(array[i], knownArray[i], $"{path}[{i}]", found);
                break;
        }
    }

    private static bool IsEmpty(JsonNode node) => node is JsonObject { Count: 0 } or JsonArray { Count: 0 };
}
