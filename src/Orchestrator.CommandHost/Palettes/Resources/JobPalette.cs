using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary><c>job</c>: list, describe (completions, parallelism, pod counts, conditions, its pods).</summary>
public sealed class JobPalette : ResourcePalette
{
    public JobPalette(ResourceStore store, TimeProvider time) : base("job", "Jobs: list, describe.", store, time)
    {
        AddListCommand(JobKind.Instance, "Lists Jobs (-w: then every change).");
        AddDescribeCommand(JobKind.Instance, "Shows a Job: completions, parallelism, pod counts, conditions and its pods.");
    }

    protected override async Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
    {
        var spec = obj["spec"] as JsonObject;
        var status = obj["status"] as JsonObject;
        text.Selector(spec?["selector"]);
        text.Field("Parallelism", Int(spec?["parallelism"]).ToString(System.Globalization.CultureInfo.InvariantCulture));
        text.Field("Completions", spec?["completions"].GetLong()?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "<unset>");
        text.Field("Completion Mode", spec.GetString("completionMode") ?? "NonIndexed");
        if (status.GetString("completedIndexes") is { Length: > 0 } indexes) text.Field("Completed Indexes", indexes);
        text.Field("Suspend", JobLabels.IsTrue(spec?["suspend"]) ? "true" : "false");
        text.Field("Backoff Limit", Int(spec?["backoffLimit"]).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (spec?["activeDeadlineSeconds"].GetLong() is { } deadline) text.Field("Active Deadline Seconds", $"{deadline}s");
        if (spec?["ttlSecondsAfterFinished"].GetLong() is { } ttl) text.Field("TTL Seconds After Finished", $"{ttl}s");
        text.Field("Start Time", status.GetString("startTime") ?? "<none>");
        if (status.GetString("completionTime") is { } completed) text.Field("Completed At", completed);
        text.Field("Duration", JobKind.DurationText(obj, Time.GetUtcNow()) is { Length: > 0 } d ? d : "<none>");
        text.Field("Pods Statuses", $"{Int(status?["active"])} Active ({Int(status?["ready"])} Ready) / {Int(status?["succeeded"])} Succeeded / {Int(status?["failed"])} Failed");
        text.Section("Pod Template");
        text.Containers(spec?["template"]?["spec"], 1);
        text.Section("Conditions");
        foreach (var condition in (status?["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
            text.Line($"{condition.GetString("type"),-16}{condition.GetString("status"),-8}{condition.GetString("reason")}".TrimEnd(), 1);
        text.Section("Pods");
        var pods = await Store.List(new ObjectFilter(PodKind.Instance.Kind, obj.Namespace(), LabelSelector.Everything, FieldSelector.Everything), cancellationToken);
        foreach (var pod in pods.Items.Where(p => PodHelpers.ControllerRef(p).GetString("uid") == obj.Uid()).OrderBy(p => p.Name(), StringComparer.Ordinal))
            text.Line($"{pod.Name(),-40}{PodHelpers.Phase(pod)}", 1);
    }

    private static long Int(JsonNode? node) => node.GetLong() ?? 0;
}
