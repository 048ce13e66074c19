using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Secrets;

/// <summary>Secret (core/v1): sensitive key/value data. Its values are encrypted in the journal by the journal serializer (Orchestrator.Cluster.Secrets.SecretSealer).</summary>
public sealed class SecretKind : ResourceKind<V1Secret>
{
    public static readonly SecretKind Instance = new();

    public override string Kind => "Secret";
    public override string Plural => "secrets";
    public override bool Namespaced => true;
    public override bool HasStatusSubresource => false;
    public override IEnumerable<string> SpecFields => ["data", "type"];

    public override JsonObject Normalize(JsonObject obj)
    {
        // stringData is write-only: it is merged into data (base64) and never stored, as in Kubernetes.
        if (obj["stringData"] is JsonObject stringData)
        {
            var data = obj["data"] as JsonObject ?? new JsonObject();
            foreach (var (key, value) in stringData)
            {
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
            }
            obj["data"] = data;
            obj.Remove("stringData");
        }
        if (obj["data"] is JsonObject encoded)
        {
            foreach (var (key, value) in encoded)
            {
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                if (text is null || !IsBase64(text))
                {
                    throw new ApiErrorException(ApiError.BadRequest(
                        $"Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data in data[{key}]"));
                }
            }
        }
        return base.Normalize(obj);
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    public override void ApplyDefaults(JsonObject obj) => obj["type"] ??= "Opaque";

    public override IEnumerable<FieldError> Validate(JsonObject obj) => ConfigMapKind.ValidateKeys(obj, ["data"]);

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated)
    {
        foreach (var e in ConfigMapKind.ImmutableData(current, updated, ["data"])) yield return e;
        if (current.GetString("type") != updated.GetString("type"))
            yield return FieldError.Invalid("type", updated.GetString("type"), "field is immutable");
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Type", "string", "The type of the secret."),
        new("Data", "string", "Number of keys in the data."),
        AgeColumn,
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now) =>
        [obj.Name(), obj.GetString("type") ?? "Opaque", ((obj["data"] as JsonObject)?.Count ?? 0).ToString(CultureInfo.InvariantCulture), Age(obj, now)];
}
