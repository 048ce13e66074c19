using System.Text.Json.Nodes;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Resources;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary><c>config</c>: list, describe (ConfigMaps hold no secrets, so describe shows the values, as kubectl does).</summary>
public sealed class ConfigMapPalette : ResourcePalette
{
    public ConfigMapPalette(ResourceStore store, TimeProvider time) : base("config", "ConfigMaps: list, describe.", store, time)
    {
        AddListCommand(ConfigMapKind.Instance, "Lists ConfigMaps (-w: then every change).");
        AddDescribeCommand(ConfigMapKind.Instance, "Shows a ConfigMap with its data.");
    }

    protected override Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
    {
        text.Section("Data");
        foreach (var (key, value) in ObjectMeta.StringMap(obj["data"]).OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            text.Line($"{key}:", 1).Line("----", 1);
            foreach (var line in value.Split('\n'))
                text.Line(line, 1);
        }
        text.Section("BinaryData");
        foreach (var (key, value) in ObjectMeta.StringMap(obj["binaryData"]).OrderBy(pair => pair.Key, StringComparer.Ordinal))
            text.Field(key, $"{ResourceRendering.SecretValueSize(JsonValue.Create(value), base64: true)} bytes", 1);
        return Task.CompletedTask;
    }
}
