using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.ConfigMaps;

/// <summary>ConfigMap (core/v1): non-secret configuration as key/value pairs.</summary>
public sealed partial class ConfigMapKind : ResourceKind<V1ConfigMap>
{
    public static readonly ConfigMapKind Instance = new();

    public override string Kind => "ConfigMap";
    public override string Plural => "configmaps";
    public override bool Namespaced => true;
    public override bool HasStatusSubresource => false;
    public override IReadOnlyList<string> ShortNames => ["cm"];
    public override IEnumerable<string> SpecFields => ["data", "binaryData"];

    /// <summary>The total size limit of a ConfigMap's or Secret's data, as in Kubernetes: 1 MiB.</summary>
    public const int MaxDataBytes = 1024 * 1024;

    public override IEnumerable<FieldError> Validate(JsonObject obj) =>
        ValidateKeys(obj, ["data", "binaryData"]);

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated) => ImmutableData(current, updated, ["data", "binaryData"]);

    internal static IEnumerable<FieldError> ImmutableData(JsonObject current, JsonObject updated, string[] fields)
    {
        if (current["immutable"] is JsonValue v && v.TryGetValue<bool>(out var immutable) && immutable)
        {
            foreach (var f in fields)
            {
                if (!JsonNode.DeepEquals(current[f], updated[f]))
                    yield return FieldError.Forbidden(f, "field is immutable when `immutable` is set");
            }
            if (!JsonNode.DeepEquals(current["immutable"], updated["immutable"]))
                yield return FieldError.Forbidden("immutable", "field is immutable when `immutable` is set");
        }
    }

    internal static IEnumerable<FieldError> ValidateKeys(JsonObject obj, string[] fields)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var field in fields)
        {
            if (obj[field] is not JsonObject data) continue;
            foreach (var (key, value) in data)
            {
                if (key.Length > 253 || !ConfigKey().IsMatch(key))
                {
                    yield return FieldError.Invalid($"{field}[{key}]", key,
                        $"a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
                }
                else if (key is "." or ".." || key.StartsWith("..", StringComparison.Ordinal))
                {
                    // Keys become file names in volumes: no way out of the directory.
                    yield return FieldError.Invalid($"{field}[{key}]", key,
                        key switch { "." => "must not be '.'", ".." => "must not be '..'", _ => "must not start with '..'" });
                }
                if (!seen.Add(key))
                {
                    yield return FieldError.Invalid($"{field}[{key}]", key, $"duplicate of key present in {fields[0]}");
                }
                total += key.Length + (value?.ToJsonString().Length ?? 0);
            }
        }
        if (total > MaxDataBytes)
        {
            yield return new FieldError("", FieldErrorType.TooLong, $"must have at most {MaxDataBytes.ToString(CultureInfo.InvariantCulture)} bytes");
        }
    }

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Data", "string", "Number of keys in the data."),
        AgeColumn,
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var count = ((obj["data"] as JsonObject)?.Count ?? 0) + ((obj["binaryData"] as JsonObject)?.Count ?? 0);
        return [obj.Name(), count.ToString(CultureInfo.InvariantCulture), Age(obj, now)];
    }
}
