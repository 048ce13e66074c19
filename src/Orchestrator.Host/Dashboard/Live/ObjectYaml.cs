using System.Text.Json.Nodes;
using Orchestrator.CommandHost.Palettes.Resources;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;

namespace Orchestrator.Host.Dashboard.Live;

/// <summary>An object as the dashboard shows it in YAML: a Secret's values hidden (their decoded size instead) unless asked for.</summary>
public static class ObjectYaml
{
    public static string Of(ResourceKind kind, JsonObject? obj, bool revealSecrets)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (obj is null) return "";
        if (kind == SecretKind.Instance && !revealSecrets && obj["data"] is JsonObject data)
        {
            obj = (JsonObject)obj.DeepClone();
            var hidden = new JsonObject();
            foreach (var (key, value) in data)
                hidden[key] = $"({ListView.DecodedLength(value?.ToString())} bytes, hidden)";
            obj["data"] = hidden;
        }
        return ResourceRendering.ToYaml(obj);
    }
}
