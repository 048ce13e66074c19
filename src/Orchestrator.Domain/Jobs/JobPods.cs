using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Jobs;

/// <summary>New pods of a Job, and readings of its pods the reconciler needs.</summary>
public static class JobPods
{
    /// <summary>
    /// A pod from the Job's template, controlled by it (the store completes the name from
    /// generateName). An Indexed Job's pod carries its index as annotation and label, in
    /// <see cref="JobLabels.CompletionIndexEnv"/> of every container (from the annotation, through
    /// the downward API, as Kubernetes does) and in its hostname <c>JOB-INDEX</c>.
    /// </summary>
    public static JsonObject New(JsonObject job, int? index)
    {
        ArgumentNullException.ThrowIfNull(job);
        var template = job["spec"]?["template"] as JsonObject ?? new JsonObject();
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        meta.Remove("name");
        meta["generateName"] = index is null ? $"{job.Name()}-" : $"{job.Name()}-{index.Value.ToString(CultureInfo.InvariantCulture)}-";
        meta["namespace"] = job.Namespace();
        meta["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(job));
        var spec = template["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        if (index is { } i)
        {
            var text = i.ToString(CultureInfo.InvariantCulture);
            if (meta["annotations"] is not JsonObject annotations) meta["annotations"] = annotations = new JsonObject();
            annotations[JobLabels.CompletionIndex] = text;
            if (meta["labels"] is not JsonObject labels) meta["labels"] = labels = new JsonObject();
            labels[JobLabels.CompletionIndex] = text;
            foreach (var list in new[] { "initContainers", "containers" })
                foreach (var container in (spec[list] as JsonArray)?.OfType<JsonObject>() ?? []) AddIndexEnv(container);
            spec["hostname"] ??= $"{job.Name()}-{text}";
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = spec,
        };
    }

    private static void AddIndexEnv(JsonObject container)
    {
        if (container["env"] is not JsonArray env) container["env"] = env = new JsonArray();
        if (env.OfType<JsonObject>().Any(e => e.GetString("name") == JobLabels.CompletionIndexEnv)) return;
        env.Insert(0, new JsonObject
        {
            ["name"] = JobLabels.CompletionIndexEnv,
            ["valueFrom"] = new JsonObject
            {
                ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = $"metadata.annotations['{JobLabels.CompletionIndex}']" },
            },
        });
    }

    /// <summary>When a finished pod finished: its containers' last finishedAt, else when it started or was created.</summary>
    public static DateTimeOffset? FinishedAt(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        DateTimeOffset? latest = null;
        foreach (var status in (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (JobConditions.Time(status["state"]?["terminated"]?["finishedAt"]) is { } t && (latest is null || t > latest)) latest = t;
        }
        return latest ?? JobConditions.Time(pod["status"]?["startTime"]) ?? pod.Timestamp("creationTimestamp");
    }

    /// <summary>Container restarts of a pod (they count toward backoffLimit when the template restarts OnFailure).</summary>
    public static long Restarts(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().Sum(s => s["restartCount"].GetLong() ?? 0) ?? 0;
    }
}
