using System.Text.Json.Nodes;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// <c>secret</c>: list, describe. A Secret's values never leave the node through this palette:
/// describe shows each key with its size, and <c>-o json|yaml</c> print the object with every
/// value replaced by its size (see <see cref="ResourceRendering.ForDisplay"/>).
/// </summary>
public sealed class SecretPalette : ResourcePalette
{
    public SecretPalette(ResourceStore store, TimeProvider time) : base("secret", "Secrets: list, describe (keys and sizes, never values).", store, time)
    {
        AddListCommand(SecretKind.Instance, "Lists Secrets (-w: then every change).");
        AddDescribeCommand(SecretKind.Instance, "Shows a Secret's type, keys and value sizes (never the values).");
    }

    protected override Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
    {
        text.Field("Type", obj.GetString("type") ?? "Opaque");
        text.Section("Data");
        if (obj["data"] is JsonObject data)
        {
            foreach (var (key, value) in data.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                text.Field(key, $"{ResourceRendering.SecretValueSize(value, base64: true)} bytes", 1);
        }
        return Task.CompletedTask;
    }
}
