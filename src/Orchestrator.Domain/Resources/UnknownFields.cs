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
        Walk(requested, normalized, new List<(string? Key, int Index)>(), found);
        return found;
    }

    // The path is kept as a stack of segments and spelled out only for an unknown field: every
    // write through the API walks its whole body, and nearly always finds nothing.
    private static void Walk(JsonNode? requested, JsonNode? normalized, List<(string? Key, int Index)> path, List<string> found)
    {
        switch (requested)
        {
            case JsonObject obj:
                var known = normalized as JsonObject;
                foreach (var (key, value) in obj)
                {
                    path.Add((key, 0));
                    if (known is null || !known.TryGetPropertyValue(key, out var knownValue))
                    {
                        if (value is not null && !IsEmpty(value)) found.Add(Spell(path));
                    }
                    else
                    {
                        Walk(value, knownValue, path, found);
                    }
                    path.RemoveAt(path.Count - 1);
                }
                break;
            case JsonArray array when normalized is JsonArray knownArray:
                for (var i = 0; i < array.Count && i < knownArray.Count; i++)
                {
                    path.Add((null, i));
                    Walk(array[i], knownArray[i], path, found);
                    path.RemoveAt(path.Count - 1);
                }
                break;
        }
    }

    /// <summary>"spec.containers[0].foo".</summary>
    private static string Spell(List<(string? Key, int Index)> path)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (key, index) in path)
        {
            if (key is null) text.Append('[').Append(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            else text.Append(text.Length == 0 ? "" : ".").Append(key);
        }
        return text.ToString();
    }

    private static bool IsEmpty(JsonNode node) => node is JsonObject { Count: 0 } or JsonArray { Count: 0 };
}
