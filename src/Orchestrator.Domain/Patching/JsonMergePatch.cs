using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Patching;

/// <summary>
/// RFC 7386 JSON Merge Patch (<c>kubectl patch --type=merge</c>, <c>application/merge-patch+json</c>):
/// objects merge key by key, a null value removes a key, anything else (lists included) replaces.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/>; neither is modified, the result is a new node.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
            return patch?.DeepClone();
        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        MergeInto(result, patchObject);
        return result;
    }

    /// <summary>
    /// The merge patch that turns <paramref name="original"/> into <paramref name="modified"/>:
    /// removed keys become null, changed values are carried (objects recursively). A null inside
    /// <paramref name="modified"/> cannot be expressed by a merge patch and reads as a removal.
    /// </summary>
    public static JsonNode? CreatePatch(JsonNode? original, JsonNode? modified)
    {
        if (original is not JsonObject originalObject || modified is not JsonObject modifiedObject)
            return modified?.DeepClone();

        var patch = new JsonObject();
        foreach (var (key, _) in originalObject)
        {
            if (!modifiedObject.ContainsKey(key))
                patch[key] = null;
        }
        foreach (var (key, value) in modifiedObject)
        {
            if (originalObject.TryGetPropertyValue(key, out var before) && JsonNode.DeepEquals(before, value))
                continue;
            patch[key] = before is JsonObject && value is JsonObject
                ? CreatePatch(before, value)
                : value?.DeepClone();
        }
        return patch;
    }

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchChild)
            {
                if (target[key] is not JsonObject targetChild)
                {
                    targetChild = new JsonObject();
                    target[key] = targetChild;
                }
                MergeInto(targetChild, patchChild);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}
