using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Jobs;

/// <summary>
/// The labels and annotations Kubernetes puts on a Job's pods: the generated selector
/// (<c>batch.kubernetes.io/controller-uid</c>), the job name (with the legacy unprefixed copies
/// of both) and, for Indexed Jobs, the completion index.
/// </summary>
public static class JobLabels
{
    public const string ControllerUid = "batch.kubernetes.io/controller-uid";
    public const string JobName = "batch.kubernetes.io/job-name";
    public const string LegacyControllerUid = "controller-uid";
    public const string LegacyJobName = "job-name";
    public const string CompletionIndex = "batch.kubernetes.io/job-completion-index";

    /// <summary>The environment variable an Indexed Job's containers read their index from.</summary>
    public const string CompletionIndexEnv = "JOB_COMPLETION_INDEX";

    /// <summary>The selector generated for the Job of <paramref name="uid"/>.</summary>
    public static JsonObject Selector(string uid) => new() { ["matchLabels"] = new JsonObject { [ControllerUid] = uid } };

    /// <summary>Sets the generated selector and adds its labels to the template (Kubernetes' generateSelector).</summary>
    public static void Generate(JsonObject job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job["spec"] is not JsonObject spec) return;
        var uid = job.Uid() ?? "";
        spec["selector"] ??= Selector(uid);
        if (spec["template"] is not JsonObject template) return;
        if (template["metadata"] is not JsonObject meta) template["metadata"] = meta = new JsonObject();
        if (meta["labels"] is not JsonObject labels) meta["labels"] = labels = new JsonObject();
        labels[ControllerUid] = uid;
        labels[LegacyControllerUid] = uid;
        labels[JobName] = job.Name();
        labels[LegacyJobName] = job.Name();
    }

    /// <summary>True for a JSON <c>true</c>; false for anything else (missing, false, not a boolean).</summary>
    public static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
