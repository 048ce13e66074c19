using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Jobs;

/// <summary>Jobs and their pods in the Kubernetes JSON shape, times relative to <see cref="TestObjects.Now"/>.</summary>
internal static class JobObjects
{
    public static JsonObject Job(string name = "work", long? completions = 1, long parallelism = 1, long backoffLimit = 6, string mode = "NonIndexed",
        string restartPolicy = "Never", bool suspend = false, long? deadline = null, long? ttl = null, JsonNode? podFailurePolicy = null, string uid = "job-uid")
    {
        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = "default",
                ["uid"] = uid,
                ["creationTimestamp"] = ObjectMeta.FormatTime(TestObjects.Now.AddMinutes(-10)),
            },
            ["spec"] = new JsonObject
            {
                ["completions"] = completions,
                ["parallelism"] = parallelism,
                ["backoffLimit"] = backoffLimit,
                ["completionMode"] = mode,
                ["suspend"] = suspend,
                ["activeDeadlineSeconds"] = deadline,
                ["ttlSecondsAfterFinished"] = ttl,
                ["podFailurePolicy"] = podFailurePolicy,
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "work" } },
                    ["spec"] = new JsonObject
                    {
                        ["restartPolicy"] = restartPolicy,
                        ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "busybox" }),
                    },
                },
            },
        };
        JobLabels.Generate(job);
        return job;
    }

    /// <summary>A pod of <paramref name="job"/> in <paramref name="phase"/>; a finished one exited <paramref name="exitCode"/> at <paramref name="finishedAt"/>.</summary>
    public static JsonObject Pod(JsonObject job, string name, string phase = "Running", int? index = null, int exitCode = 1, DateTimeOffset? finishedAt = null, bool ready = false)
    {
        var pod = TestObjects.Pod(name, phase: phase, owner: job, ready: ready, node: "n1");
        if (index is { } i) pod.Metadata()["annotations"] = new JsonObject { [JobLabels.CompletionIndex] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (phase is "Succeeded" or "Failed")
        {
            pod["status"]!["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "main",
                ["restartCount"] = 0,
                ["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = phase == "Succeeded" ? 0 : exitCode,
                        ["finishedAt"] = ObjectMeta.FormatTime(finishedAt ?? TestObjects.Now.AddMinutes(-5)),
                    },
                },
            });
        }
        return pod;
    }

    public static JsonObject WithCondition(JsonObject job, string type, DateTimeOffset at)
    {
        job["status"] = new JsonObject
        {
            ["conditions"] = JobConditions.With(null, type, "True", type, type, at),
            ["completionTime"] = type == JobConditions.Complete ? ObjectMeta.FormatTime(at) : null,
        };
        return job;
    }

    public static string? Condition(JsonObject status, string type) =>
        (status["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == type)?.GetString("status");

    public static bool IsControlledBy(JsonObject pod, JsonObject job) => PodHelpers.ControllerRef(pod).GetString("uid") == job.Uid();
}
