using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Controllers;

/// <summary>Readings of pods and owner references the controllers share.</summary>
public static class PodHelpers
{
    public static string? NodeName(JsonObject pod) => pod["spec"].AsObjectOrNull().GetString("nodeName") is { Length: > 0 } n ? n : null;

    public static string Phase(JsonObject pod) => pod["status"].AsObjectOrNull().GetString("phase") ?? "Pending";

    /// <summary>Not finished and not being deleted: counts toward a ReplicaSet's replicas.</summary>
    public static bool IsActive(JsonObject pod) => !pod.IsDeleting() && Phase(pod) is not ("Succeeded" or "Failed");

    public static JsonObject? Condition(JsonObject obj, string type)
    {
        if (obj["status"]?["conditions"] is not JsonArray conditions) return null;
        foreach (var node in conditions)
        {
            if (node is JsonObject c && c.GetString("type") == type) return c;
        }
        return null;
    }

    public static bool IsReady(JsonObject pod) => Condition(pod, "Ready").GetString("status") == "True";

    public static DateTimeOffset? ReadySince(JsonObject pod) =>
        Condition(pod, "Ready").GetString("lastTransitionTime") is { } t && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v) ? v : null;

    public static IReadOnlyList<JsonObject> OwnerReferences(JsonObject obj) =>
        (obj.Metadata()["ownerReferences"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];

    public static JsonObject? ControllerRef(JsonObject obj)
    {
        // Read for every pod on every controller sync: walk the array, no list.
        if (obj.Metadata()["ownerReferences"] is not JsonArray refs) return null;
        foreach (var node in refs)
        {
            if (node is JsonObject r && r["controller"] is JsonValue v && v.TryGetValue<bool>(out var b) && b) return r;
        }
        return null;
    }

    /// <summary>An owner reference to <paramref name="owner"/> with controller=true and blockOwnerDeletion=true.</summary>
    public static JsonObject NewControllerRef(JsonObject owner) => new()
    {
        ["apiVersion"] = owner.GetString("apiVersion"),
        ["kind"] = owner.GetString("kind"),
        ["name"] = owner.Name(),
        ["uid"] = owner.Uid(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    public static long Int(JsonNode? node, long fallback = 0) => node.GetLong() ?? fallback;
}
