using System.Text.Json.Nodes;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.CronJobs;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary><c>cronjob</c>: list, describe (schedule, policies, last runs, next run, its Jobs).</summary>
public sealed class CronJobPalette : ResourcePalette
{
    public CronJobPalette(ResourceStore store, TimeProvider time) : base("cronjob", "CronJobs: list, describe.", store, time)
    {
        AddListCommand(CronJobKind.Instance, "Lists CronJobs (-w: then every change).");
        AddDescribeCommand(CronJobKind.Instance, "Shows a CronJob: schedule, policies, last and next run, its Jobs.");
    }

    protected override async Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
    {
        var spec = obj["spec"] as JsonObject;
        var status = obj["status"] as JsonObject;
        text.Field("Schedule", spec.GetString("schedule") ?? "");
        text.Field("Time Zone", spec.GetString("timeZone") ?? "<unset>");
        text.Field("Concurrency Policy", spec.GetString("concurrencyPolicy") ?? "Allow");
        text.Field("Suspend", JobLabels.IsTrue(spec?["suspend"]) ? "True" : "False");
        text.Field("Successful Job History Limit", Int(spec?["successfulJobsHistoryLimit"]));
        text.Field("Failed Job History Limit", Int(spec?["failedJobsHistoryLimit"]));
        text.Field("Starting Deadline Seconds", spec?["startingDeadlineSeconds"].GetLong() is { } d ? $"{d}s" : "<unset>");
        text.Field("Last Schedule Time", status.GetString("lastScheduleTime") ?? "<none>");
        text.Field("Last Successful Time", status.GetString("lastSuccessfulTime") ?? "<none>");
        var (schedule, _) = CronSchedule.Parse(spec.GetString("schedule"), spec.GetString("timeZone"));
        text.Field("Next Schedule Time", JobLabels.IsTrue(spec?["suspend"]) ? "<suspended>"
            : schedule?.Next(Time.GetUtcNow()) is { } next ? ObjectMeta.FormatTime(next) : "<none>");
        text.Field("Active Jobs", string.Join(", ", (status?["active"] as JsonArray)?.OfType<JsonObject>().Select(r => r.GetString("name")) ?? []) is { Length: > 0 } a ? a : "<none>");
        text.Section("Jobs");
        var jobs = await Store.List(new ObjectFilter(JobKind.Instance.Kind, obj.Namespace(), LabelSelector.Everything, FieldSelector.Everything), cancellationToken);
        foreach (var job in jobs.Items.Where(j => PodHelpers.ControllerRef(j).GetString("uid") == obj.Uid()).OrderBy(j => j.Name(), StringComparer.Ordinal))
            text.Line($"{job.Name(),-40}{JobConditions.StatusText(job),-12}{JobKind.CompletionsText(job)}", 1);
    }

    private static string Int(JsonNode? node) => (node.GetLong() ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
