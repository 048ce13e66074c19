using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.CronJobs;

/// <summary>CronJob (batch/v1): creates a Job from its jobTemplate at every time its schedule names.</summary>
public sealed class CronJobKind : ResourceKind<V1CronJob>
{
    public static readonly CronJobKind Instance = new();

    /// <summary>A CronJob's name is at most 52 characters: its Jobs add "-" and up to 10 digits and stay a valid label value.</summary>
    public const int MaxNameLength = 52;

    public override string Kind => "CronJob";
    public override string Group => "batch";
    public override string Plural => "cronjobs";
    public override bool Namespaced => true;
    public override IReadOnlyList<string> ShortNames => ["cj"];

    private static readonly string[] Policies = ["Allow", "Forbid", "Replace"];

    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec) return;
        spec["concurrencyPolicy"] ??= "Allow";
        spec["suspend"] ??= false;
        spec["successfulJobsHistoryLimit"] ??= 3;
        spec["failedJobsHistoryLimit"] ??= 1;
        if (spec["jobTemplate"]?["spec"] is JsonObject jobSpec) JobKind.DefaultSpec(jobSpec);
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        if (obj.Name().Length > MaxNameLength) yield return FieldError.Invalid("metadata.name", obj.Name(), $"must be no more than {MaxNameLength} characters");
        if (obj["spec"] is not JsonObject spec)
        {
            yield return FieldError.Required("spec");
            yield break;
        }
        var schedule = spec.GetString("schedule");
        var timeZone = spec.GetString("timeZone");
        if (schedule is null) yield return FieldError.Required("spec.schedule");
        else if (CronSchedule.Parse(schedule, timeZone).Error is { } error)
            yield return error.Contains("time zone", StringComparison.Ordinal) && timeZone is not null
                ? FieldError.Invalid("spec.timeZone", timeZone, error)
                : FieldError.Invalid("spec.schedule", schedule, error);
        var policy = spec.GetString("concurrencyPolicy");
        if (policy is not null && !Policies.Contains(policy)) yield return FieldError.NotSupported("spec.concurrencyPolicy", policy, Policies);
        foreach (var field in new[] { "startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit" })
        {
            if (spec[field].GetLong() is { } n && n < 0) yield return FieldError.Invalid($"spec.{field}", n, "must be greater than or equal to 0");
        }
        if (spec["jobTemplate"]?["spec"] is not JsonObject jobSpec)
        {
            yield return FieldError.Required("spec.jobTemplate.spec");
            yield break;
        }
        foreach (var e in JobKind.ValidateSpec(jobSpec, "spec.jobTemplate.spec")) yield return e;
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        new("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
        new("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
        new("Active", "integer", "A list of pointers to currently running jobs."),
        new("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
        AgeColumn,
        new("Containers", "string", "Names of each container in the template.", 1),
        new("Images", "string", "Images referenced by each container in the template.", 1),
        new("Selector", "string", "Selector that matches pods.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now)
    {
        var spec = obj["spec"] as JsonObject;
        var podSpec = spec?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"] as JsonArray;
        var containers = podSpec?.OfType<JsonObject>().ToList() ?? [];
        var last = JobConditions.Time(obj["status"]?["lastScheduleTime"]);
        return
        [
            obj.Name(),
            spec.GetString("schedule") ?? "",
            spec.GetString("timeZone") ?? "<none>",
            JobLabels.IsTrue(spec?["suspend"]) ? "True" : "False",
            (obj["status"]?["active"] as JsonArray)?.Count ?? 0,
            last is { } t ? HumanDuration(now - t) : "<none>",
            Age(obj, now),
            string.Join(",", containers.Select(c => c.GetString("name") ?? "")),
            string.Join(",", containers.Select(c => c.GetString("image") ?? "")),
            spec?["jobTemplate"]?["spec"]?["selector"] is null ? "<none>" : "",
        ];
    }
}
