using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Jobs;

/// <summary>A Job's conditions (Complete, Failed, Suspended) and the times in its status.</summary>
public static class JobConditions
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string Suspended = "Suspended";

    /// <summary>True once the Job has a Complete or Failed condition that is True: nothing more runs for it.</summary>
    public static bool IsFinished(JsonObject job) => Is(job, Complete) || Is(job, Failed);

    public static bool Is(JsonObject job, string type) => PodHelpers.Condition(job, type).GetString("status") == "True";

    /// <summary>When the Job finished: completionTime, or the Failed condition's transition.</summary>
    public static DateTimeOffset? FinishedAt(JsonObject job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (Is(job, Complete)) return Time(job["status"]?["completionTime"]) ?? Time(PodHelpers.Condition(job, Complete)?["lastTransitionTime"]);
        return Is(job, Failed) ? Time(PodHelpers.Condition(job, Failed)?["lastTransitionTime"]) : null;
    }

    /// <summary>The STATUS column of <c>kubectl get jobs</c>.</summary>
    public static string StatusText(JsonObject job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (Is(job, Complete)) return "Complete";
        if (Is(job, Failed)) return "Failed";
        if (job.IsDeleting()) return "Terminating";
        return Is(job, Suspended) ? "Suspended" : "Running";
    }

    public static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>
    /// <paramref name="conditions"/> with the condition of <paramref name="type"/> set; its
    /// lastTransitionTime changes only when its status does.
    /// </summary>
    public static JsonArray With(JsonArray? conditions, string type, string status, string reason, string message, DateTimeOffset now)
    {
        var result = new JsonArray();
        var found = false;
        foreach (var c in conditions?.OfType<JsonObject>() ?? [])
        {
            if (c.GetString("type") != type)
            {
                result.Add(c.DeepClone());
                continue;
            }
            found = true;
            result.Add(Condition(type, status, reason, message, c.GetString("status") == status ? c["lastTransitionTime"]?.DeepClone() : ObjectMeta.FormatTime(now), now));
        }
        if (!found) result.Add(Condition(type, status, reason, message, ObjectMeta.FormatTime(now), now));
        return result;
    }

    private static JsonObject Condition(string type, string status, string reason, string message, JsonNode? since, DateTimeOffset now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastProbeTime"] = ObjectMeta.FormatTime(now),
        ["lastTransitionTime"] = since,
        ["reason"] = reason,
        ["message"] = message,
    };
}
