using System.Text.Json.Nodes;
using Orchestrator.Domain.Patching;

namespace Orchestrator.Domain.Resources;

/// <summary>
/// Finds the fields of a request that the kind's schema does not know, by comparing the request
/// with its normalized form (decoded into the typed shape and back, which drops unknown fields).
/// Used for <c>fieldValidation=Strict</c> (refuse) and <c>Warn</c> (warning header), as Kubernetes does.
/// </summary>
public static class UnknownFields
{
    /// <summary>The fields of <paramref name="obj"/> (a request body) that <paramref name="kind"/>'s schema does not know.</summary>
    /// <exception cref="ApiErrorException">The object does not decode as the kind (400).</exception>
    public static IReadOnlyList<string> Of(ResourceKind kind, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        return Find(obj, kind.RoundTrip((JsonObject)obj.DeepClone()));
    }

    /// <summary>
    /// The unknown fields a patch brings, as Kubernetes finds them: for a merge or strategic merge
    /// patch, those of the patch document itself (a strategic merge patch's directives left out; a
    /// field set to null is a deletion and never reported); for a JSON patch, those of the object it
    /// makes of <paramref name="current"/>. A patch that does not apply or does not decode as the kind
    /// yields none here: the store refuses it as it always has.
    /// </summary>
    /// <param name="current">The object as it is (used for a JSON patch only).</param>
    public static IReadOnlyList<string> OfPatch(ResourceKind kind, PatchType type, JsonNode patch, JsonObject? current)
    {
        ArgumentNullException.ThrowIfNull(kind);
        try
        {
            var checkedObject = type switch
            {
                PatchType.Merge => patch,
                PatchType.Strategic => StrategicMergePatch.WithoutDirectives(patch),
                PatchType.Json when current is not null => JsonPatch.Apply(current, patch),
                _ => null,
            };
            return checkedObject is JsonObject obj ? Of(kind, obj) : [];
        }
        catch (PatchException)
        {
            return [];
        }
        catch (ApiErrorException)
        {
            return [];
        }
    }

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
