using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.CronJobs;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.CronJobs;

public sealed class CronJobPlannerTests
{
    // A Monday, 12:00:30 UTC.
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 12, 0, 30, TimeSpan.Zero);

    private static JsonObject CronJob(string schedule = "*/5 * * * *", string policy = "Allow", long? deadline = null, DateTimeOffset? lastSchedule = null,
        DateTimeOffset? created = null, bool suspend = false, string? timeZone = null, int successful = 3, int failed = 1) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "CronJob",
        ["metadata"] = new JsonObject
        {
            ["name"] = "tick",
            ["namespace"] = "default",
            ["uid"] = "cj-uid",
            ["creationTimestamp"] = ObjectMeta.FormatTime(created ?? Now.AddMinutes(-2)),
        },
        ["spec"] = new JsonObject
        {
            ["schedule"] = schedule,
            ["timeZone"] = timeZone,
            ["concurrencyPolicy"] = policy,
            ["startingDeadlineSeconds"] = deadline,
            ["suspend"] = suspend,
            ["successfulJobsHistoryLimit"] = successful,
            ["failedJobsHistoryLimit"] = failed,
            ["jobTemplate"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["team"] = "a" } },
                ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = new JsonObject { ["restartPolicy"] = "Never" } } },
            },
        },
        ["status"] = new JsonObject { ["lastScheduleTime"] = lastSchedule is { } t ? ObjectMeta.FormatTime(t) : null },
    };

    private static JsonObject Job(JsonObject cronJob, string name, string? finished = null, DateTimeOffset? at = null)
    {
        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = "uid-" + name, ["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(cronJob)) },
        };
        if (finished is not null) job["status"] = new JsonObject { ["conditions"] = JobConditions.With(null, finished, "True", finished, finished, at ?? Now.AddMinutes(-1)) };
        return job;
    }

    [Fact]
    public void Creates_the_job_of_the_most_recent_time_named_by_its_minute_and_looks_again_at_the_next()
    {
        var cronJob = CronJob(lastSchedule: Now.AddMinutes(-5).AddSeconds(-30));
        var plan = CronJobPlanner.Plan(cronJob, [], Now);
        var job = plan.Create!;
        var noon = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal($"tick-{noon.ToUnixTimeSeconds() / 60}", job.Name());
        Assert.Equal("a", job.Labels()["team"]);
        Assert.Equal("cj-uid", PodHelpers.ControllerRef(job).GetString("uid"));
        Assert.Equal("2026-01-05T12:00:00Z", job.Annotations()[CronJobPlanner.ScheduledTimestamp]);
        Assert.Equal(ObjectMeta.FormatTime(noon), plan.Status!.GetString("lastScheduleTime"));
        Assert.Equal(TimeSpan.FromSeconds(270), plan.RecheckAfter);
    }

    [Fact]
    public void Nothing_runs_before_the_first_scheduled_time()
    {
        var plan = CronJobPlanner.Plan(CronJob(created: Now.AddSeconds(-20)), [], Now);
        Assert.Null(plan.Create);
        Assert.Equal(TimeSpan.FromSeconds(270), plan.RecheckAfter);
    }

    [Fact]
    public void After_an_outage_only_the_most_recent_missed_time_runs_and_over_100_missed_is_reported()
    {
        // Down for three days of a schedule every minute: one catch-up run, of 12:00.
        var plan = CronJobPlanner.Plan(CronJob("* * * * *", lastSchedule: Now.AddDays(-3)), [], Now);
        Assert.Equal(CronJobPlanner.JobName(CronJob(), new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero)), plan.Create!.Name());
        Assert.Contains(plan.Events, e => e is { Type: "Warning", Reason: "TooManyMissedTimes" });

        // A few missed: no warning.
        var few = CronJobPlanner.Plan(CronJob("* * * * *", lastSchedule: Now.AddMinutes(-10)), [], Now);
        Assert.NotNull(few.Create);
        Assert.DoesNotContain(few.Events, e => e.Reason == "TooManyMissedTimes");
    }

    [Fact]
    public void A_starting_deadline_bounds_the_missed_times_looked_at()
    {
        // Schedule at minute 0 of each hour; last ran 3 h ago; 12:00 is 30 s ago and within a 60 s deadline.
        Assert.NotNull(CronJobPlanner.Plan(CronJob("0 * * * *", deadline: 60, lastSchedule: Now.AddHours(-3)), [], Now).Create);
        // 20 s deadline: 12:00 is too late, and nothing older is looked at.
        var late = CronJobPlanner.Plan(CronJob("0 * * * *", deadline: 20, lastSchedule: Now.AddHours(-3)), [], Now);
        Assert.Null(late.Create);
        Assert.DoesNotContain(late.Events, e => e.Reason == "TooManyMissedTimes");
    }

    [Fact]
    public void Forbid_skips_while_a_job_is_active_and_replace_deletes_it()
    {
        var forbid = CronJob(policy: "Forbid", lastSchedule: Now.AddMinutes(-5).AddSeconds(-30));
        var skipped = CronJobPlanner.Plan(forbid, [Job(forbid, "tick-1")], Now);
        Assert.Null(skipped.Create);
        Assert.Contains(skipped.Events, e => e.Reason == "JobAlreadyActive");
        Assert.Equal("tick-1", skipped.Status!["active"]![0]!["name"]!.GetValue<string>());

        var replace = CronJob(policy: "Replace", lastSchedule: Now.AddMinutes(-5).AddSeconds(-30));
        var replaced = CronJobPlanner.Plan(replace, [Job(replace, "tick-1")], Now);
        Assert.NotNull(replaced.Create);
        Assert.Equal(["tick-1"], replaced.Delete);
        Assert.Empty(replaced.Status!["active"]!.AsArray());

        var allow = CronJob(lastSchedule: Now.AddMinutes(-5).AddSeconds(-30));
        var both = CronJobPlanner.Plan(allow, [Job(allow, "tick-1")], Now);
        Assert.NotNull(both.Create);
        Assert.Empty(both.Delete);
    }

    [Fact]
    public void A_time_already_run_is_not_run_again()
    {
        var cronJob = CronJob(lastSchedule: Now.AddMinutes(-10));
        var name = CronJobPlanner.JobName(cronJob, new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var plan = CronJobPlanner.Plan(cronJob, [Job(cronJob, name)], Now);
        Assert.Null(plan.Create);
        Assert.Equal("2026-01-05T12:00:00Z", plan.Status!.GetString("lastScheduleTime"));
    }

    [Fact]
    public void Keeps_the_newest_finished_jobs_within_the_history_limits()
    {
        var cronJob = CronJob(suspend: true, successful: 2, failed: 1);
        var jobs = new[]
        {
            Job(cronJob, "ok-1", JobConditions.Complete, Now.AddMinutes(-30)),
            Job(cronJob, "ok-2", JobConditions.Complete, Now.AddMinutes(-20)),
            Job(cronJob, "ok-3", JobConditions.Complete, Now.AddMinutes(-10)),
            Job(cronJob, "bad-1", JobConditions.Failed, Now.AddMinutes(-25)),
            Job(cronJob, "bad-2", JobConditions.Failed, Now.AddMinutes(-5)),
            Job(cronJob, "running"),
        };
        var plan = CronJobPlanner.Plan(cronJob, jobs, Now);
        Assert.Equal(["ok-1", "bad-1"], plan.Delete);
        Assert.Null(plan.Create); // suspended
        Assert.Equal(ObjectMeta.FormatTime(Now.AddMinutes(-10)), plan.Status!.GetString("lastSuccessfulTime"));
        Assert.Equal("running", Assert.Single(plan.Status!["active"]!.AsArray())!["name"]!.GetValue<string>());
    }

    [Fact]
    public void A_finished_job_that_was_active_is_reported_once()
    {
        var cronJob = CronJob(suspend: true);
        var job = Job(cronJob, "tick-1", JobConditions.Complete);
        cronJob["status"]!["active"] = new JsonArray(CronJobPlanner.Reference(job));
        var plan = CronJobPlanner.Plan(cronJob, [job], Now);
        Assert.Contains(plan.Events, e => e.Reason == "SawCompletedJob" && e.Message.Contains("tick-1", StringComparison.Ordinal));
        Assert.Empty(plan.Status!["active"]!.AsArray());
    }

    [Fact]
    public void The_schedule_runs_in_its_time_zone()
    {
        // 9:00 in New York is 14:00 UTC in January.
        var cronJob = CronJob("0 9 * * *", timeZone: "America/New_York", lastSchedule: new DateTimeOffset(2026, 1, 4, 14, 0, 0, TimeSpan.Zero));
        var at = new DateTimeOffset(2026, 1, 5, 14, 0, 5, TimeSpan.Zero);
        var plan = CronJobPlanner.Plan(cronJob, [], at);
        Assert.Equal("2026-01-05T09:00:00-05:00", plan.Create!.Annotations()[CronJobPlanner.ScheduledTimestamp]);
        Assert.Null(CronJobPlanner.Plan(cronJob, [], at.AddSeconds(-10)).Create);
    }

    [Theory]
    [InlineData("*/5 * * * *", null, null)]
    [InlineData("@hourly", null, null)]
    [InlineData("0 9 * * MON-FRI", "Europe/Berlin", null)]
    [InlineData("61 * * * *", null, "spec.schedule")]
    [InlineData("* * * *", null, "spec.schedule")]
    [InlineData("0 9 * * *", "Mars/Olympus", "spec.timeZone")]
    [InlineData("CRON_TZ=UTC 0 9 * * *", "UTC", "spec.schedule")]
    public void Schedules_and_time_zones_are_validated(string schedule, string? timeZone, string? field)
    {
        var cronJob = CronJob(schedule, timeZone: timeZone);
        cronJob["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" });
        var errors = CronJobKind.Instance.Validate(cronJob).Select(e => e.Field).ToList();
        if (field is null) Assert.Empty(errors);
        else Assert.Contains(field, errors);
    }
}
