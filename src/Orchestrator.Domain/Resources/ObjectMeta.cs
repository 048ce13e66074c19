using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Domain.Resources;

/// <summary>
/// Reads and writes the <c>metadata</c> of an object held as a <see cref="JsonObject"/> in the
/// Kubernetes JSON shape. All timestamps are RFC 3339 in UTC with second precision, as the
/// Kubernetes API writes them.
/// </summary>
public static class ObjectMeta
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta) return meta;
        meta = new JsonObject();
        obj["metadata"] = meta;
        return meta;
    }

    public static JsonObject? AsObjectOrNull(this JsonNode? node) => node as JsonObject;

    public static string? GetString(this JsonObject? obj, string property) =>
        obj?[property] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(this JsonObject obj) => obj.Metadata().GetString("name") ?? "";

    public static string Namespace(this JsonObject obj) => obj.Metadata().GetString("namespace") ?? "";

    public static string? Uid(this JsonObject obj) => obj.Metadata().GetString("uid");

    public static string? ResourceVersion(this JsonObject obj) => obj.Metadata().GetString("resourceVersion");

    public static long Generation(this JsonObject obj) => obj.Metadata()["generation"].GetLong() ?? 0;

    /// <summary>
    /// The value of a JSON number that is a whole number within the range of <see cref="long"/>,
    /// else null (also for strings, booleans and missing nodes). Reads the number through its JSON
    /// text, so it works whatever the value was built from: <c>JsonValue.TryGetValue&lt;long&gt;</c>
    /// fails for a value created from a C# <c>int</c> (<c>spec["replicas"] ??= 1</c>).
    /// </summary>
    public static long? GetLong(this JsonNode? node)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number) return null;
        var text = value.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && d == decimal.Truncate(d) && d >= long.MinValue && d <= long.MaxValue
            ? (long)d
            : null;
    }

    public static bool IsDeleting(this JsonObject obj) => obj.Metadata()["deletionTimestamp"] is not null;

    public static IReadOnlyDictionary<string, string> Labels(this JsonObject obj) => StringMap(obj.Metadata()["labels"]);

    public static IReadOnlyDictionary<string, string> Annotations(this JsonObject obj) => StringMap(obj.Metadata()["annotations"]);

    public static IReadOnlyList<string> Finalizers(this JsonObject obj) =>
        obj.Metadata()["finalizers"] is JsonArray a
            ? a.Select(n => n?.GetValue<string>() ?? "").Where(s => s.Length > 0).ToList()
            : [];

    public static DateTimeOffset? Timestamp(this JsonObject obj, string property) =>
        obj.Metadata().GetString(property) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null;

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static IReadOnlyDictionary<string, string> StringMap(JsonNode? node)
    {
        if (node is not JsonObject map) return new Dictionary<string, string>();
        var result = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            result[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
        }
        return result;
    }

    /// <summary>Returns a deep copy with <c>metadata.resourceVersion</c> set.</summary>
    public static JsonObject WithResourceVersion(this JsonObject obj, long resourceVersion)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Metadata()["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        return copy;
    }

    /// <summary>Reads a nested value by a dotted path (<c>spec.nodeName</c>); null when any step is missing.</summary>
    public static JsonNode? At(this JsonObject obj, string dottedPath)
    {
        JsonNode? node = obj;
        foreach (var part in dottedPath.Split('.'))
        {
            if (node is not JsonObject o) return null;
            node = o[part];
        }
        return node;
    }
}
