using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// A short account of what one change did to an object, for <c>resource history</c>: the labels
/// added, removed or changed, container images, replicas and other scalar spec fields with their
/// values, the keys of <c>data</c> (never values: they may be secret), and the names of other
/// fields that changed.
/// </summary>
internal static class ChangeSummary
{
    private const int LongestValueShown = 40;

    /// <summary>Fields that change on every write and so say nothing.</summary>
    private static readonly HashSet<string> Bookkeeping = new(StringComparer.Ordinal) { "resourceVersion", "generation", "managedFields" };

    /// <summary>What changed from <paramref name="before"/> (null: nothing before) to <paramref name="after"/>.</summary>
    public static string Describe(JsonObject? before, JsonObject after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var parts = new List<string>();
        if (before is null)
        {
            Images(null, after, parts);
            if (after["spec"]?["replicas"] is JsonValue replicas)
                parts.Add($"replicas {replicas.ToJsonString()}");
            if (after.Labels().Count > 0)
                parts.Add("labels " + string.Join(",", after.Labels().Select(pair => $"{pair.Key}={pair.Value}")));
            if (after["data"] is JsonObject data && data.Count > 0)
                parts.Add("data keys " + string.Join(",", data.Select(pair => pair.Key)));
            return parts.Count == 0 ? "" : string.Join("; ", parts);
        }

        MapDiff("labels", before.Labels(), after.Labels(), showValues: true, parts);
        MapDiff("annotations", before.Annotations(), after.Annotations(), showValues: false, parts);
        if (!before.IsDeleting() && after.IsDeleting())
            parts.Add("deletion requested");
        if (!before.Finalizers().SequenceEqual(after.Finalizers()))
            parts.Add("finalizers [" + string.Join(",", after.Finalizers()) + "]");
        if (Changed(before["metadata"]?["ownerReferences"], after["metadata"]?["ownerReferences"]))
            parts.Add("owner references");

        Images(before, after, parts);
        SpecFields(before["spec"] as JsonObject, after["spec"] as JsonObject, "spec", parts);
        foreach (var field in new[] { "data", "stringData", "binaryData" })
        {
            MapDiff(field + " keys", ObjectMeta.StringMap(before[field]), ObjectMeta.StringMap(after[field]), showValues: false, parts);
        }
        var otherFields = after.Select(pair => pair.Key).Union(before.Select(pair => pair.Key))
            .Where(key => key is not ("metadata" or "spec" or "data" or "stringData" or "binaryData" or "apiVersion" or "kind"))
            .Where(key => Changed(before[key], after[key]))
            .Order(StringComparer.Ordinal);
        parts.AddRange(otherFields);
        var metadataOnly = Changed(Without(before["metadata"]), Without(after["metadata"]));
        if (parts.Count == 0 && metadataOnly)
            parts.Add("metadata");
        return string.Join("; ", parts);
    }

    private static JsonNode? Without(JsonNode? metadata)
    {
        if (metadata is not JsonObject meta)
            return metadata;
        var copy = (JsonObject)meta.DeepClone();
        foreach (var field in Bookkeeping)
            copy.Remove(field);
        return copy;
    }

    private static bool Changed(JsonNode? before, JsonNode? after) => !JsonNode.DeepEquals(before, after);

    private static void MapDiff(string what, IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after, bool showValues, List<string> parts)
    {
        var changes = new List<string>();
        foreach (var (key, value) in after.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!before.TryGetValue(key, out var old))
                changes.Add(showValues ? $"+{key}={value}" : $"+{key}");
            else if (old != value)
                changes.Add(showValues ? $"{key}: {old}→{value}" : $"~{key}");
        }
        changes.AddRange(before.Keys.Where(key => !after.ContainsKey(key)).Order(StringComparer.Ordinal).Select(key => $"-{key}"));
        if (changes.Count > 0)
            parts.Add($"{what} {string.Join(" ", changes)}");
    }

    /// <summary>Container images of a pod, or of a workload's pod template, by container name.</summary>
    private static Dictionary<string, string> ContainerImages(JsonObject? obj)
    {
        var containers = (obj?["spec"]?["containers"] ?? obj?["spec"]?["template"]?["spec"]?["containers"]) as JsonArray;
        return containers?.OfType<JsonObject>()
                   .GroupBy(c => c.GetString("name") ?? "")
                   .ToDictionary(g => g.Key, g => g.First().GetString("image") ?? "", StringComparer.Ordinal)
               ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    private static void Images(JsonObject? before, JsonObject after, List<string> parts)
    {
        var old = ContainerImages(before);
        foreach (var (container, image) in ContainerImages(after).OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!old.TryGetValue(container, out var oldImage))
                parts.Add($"image {container}={image}");
            else if (oldImage != image)
                parts.Add($"image {container}: {oldImage}→{image}");
        }
    }

    /// <summary>Changed spec fields: scalars with their values, the rest by path (pod templates one level deeper).</summary>
    private static void SpecFields(JsonObject? before, JsonObject? after, string path, List<string> parts)
    {
        if (before is null && after is null)
            return;
        var keys = (after?.Select(pair => pair.Key) ?? []).Union(before?.Select(pair => pair.Key) ?? []).Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var old = before?[key];
            var now = after?[key];
            if (!Changed(old, now))
                continue;
            var fieldPath = $"{path}.{key}";
            if (fieldPath is "spec.template" or "spec.template.spec")
            {
                SpecFields(old as JsonObject, now as JsonObject, fieldPath, parts);
                continue;
            }
            if (fieldPath == "spec.template.metadata")
            {
                MapDiff("template labels", ObjectMeta.StringMap(old?["labels"]), ObjectMeta.StringMap(now?["labels"]), showValues: true, parts);
                MapDiff("template annotations", ObjectMeta.StringMap(old?["annotations"]), ObjectMeta.StringMap(now?["annotations"]), showValues: false, parts);
                continue;
            }
            if (fieldPath is "spec.containers" or "spec.template.spec.containers" && SameExceptImages(old, now))
                continue; // reported as images
            if (old is null or JsonValue && now is null or JsonValue)
                parts.Add($"{fieldPath}: {Show(old)}→{Show(now)}");
            else
                parts.Add(fieldPath);
        }
    }

    private static bool SameExceptImages(JsonNode? before, JsonNode? after)
    {
        static JsonNode? WithoutImages(JsonNode? containers)
        {
            if (containers is not JsonArray list)
                return containers;
            var copy = (JsonArray)list.DeepClone();
            foreach (var container in copy.OfType<JsonObject>())
                container.Remove("image");
            return copy;
        }
        return JsonNode.DeepEquals(WithoutImages(before), WithoutImages(after));
    }

    private static string Show(JsonNode? value)
    {
        if (value is null)
            return "<none>";
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString();
        return text.Length <= LongestValueShown ? text : text[..LongestValueShown] + "…";
    }
}
