using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.CronJobs;

/// <summary>
/// What a CronJob sync does: create this Job (null: none), delete these Jobs (replaced, or beyond
/// the history limits), write this status (the created Job is added to <c>active</c> once it exists),
/// record these Events, and look again after <see cref="RecheckAfter"/> (the next scheduled time).
/// </summary>
public sealed record CronJobPlan(
    JsonObject? Create,
    IReadOnlyList<string> Delete,
    JsonObject? Status,
    IReadOnlyList<ControllerEvent> Events,
    TimeSpan? RecheckAfter);

/// <summary>
/// The pure CronJob rules (Kubernetes' cronjob controller v2 without its side effects), with the
/// clock passed in. The scheduled times not yet run are those after <c>lastScheduleTime</c> (or the
/// creation), and no older than <c>startingDeadlineSeconds</c>; only the most recent of them runs,
/// so after an outage at most one run catches up, and more than 100 missed ones are reported
/// (TooManyMissedTimes). <c>Forbid</c> skips a time while a Job is active (it runs once that Job
/// finished, if still within the deadline), <c>Replace</c> deletes the active Jobs first. A Job's
/// name is the CronJob's and the scheduled minute (<c>NAME-&lt;unix minutes&gt;</c>), so a time is
/// never run twice.
/// </summary>
public static class CronJobPlanner
{
    /// <summary>The annotation with the time a Job was scheduled for, in the CronJob's time zone.</summary>
    public const string ScheduledTimestamp = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    /// <summary>How many missed times are counted before a CronJob is reported as too far behind (Kubernetes: 100).</summary>
    public const int MissedLimit = 100;

    public static CronJobPlan Plan(JsonObject cronJob, IEnumerable<JsonObject> ownedJobs, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cronJob);
        ArgumentNullException.ThrowIfNull(ownedJobs);
        if (cronJob.IsDeleting()) return new CronJobPlan(null, [], null, [], null);
        var spec = cronJob["spec"] as JsonObject ?? new JsonObject();
        var status = cronJob["status"]?.DeepClone() as JsonObject ?? new JsonObject();
        var jobs = ownedJobs.Where(j => !j.IsDeleting()).ToList();
        var events = new List<ControllerEvent>();
        var delete = new List<string>();
        var wasActive = (status["active"] as JsonArray)?.OfType<JsonObject>().Select(r => r.GetString("uid")).ToHashSet() ?? [];
        var active = jobs.Where(j => !JobConditions.IsFinished(j)).OrderBy(j => j.Name(), StringComparer.Ordinal).ToList();
        foreach (var job in jobs.Where(j => JobConditions.IsFinished(j) && wasActive.Contains(j.Uid())))
            events.Add(new("Normal", "SawCompletedJob", $"Saw completed job: {job.Name()}, condition: {(JobConditions.Is(job, JobConditions.Complete) ? "Complete" : "Failed")}"));
        var lastSuccess = jobs.Where(j => JobConditions.Is(j, JobConditions.Complete)).Select(JobConditions.FinishedAt).Append(JobConditions.Time(status["lastSuccessfulTime"])).Max();
        if (lastSuccess is { } success) status["lastSuccessfulTime"] = ObjectMeta.FormatTime(success);

        // History: the oldest finished Jobs beyond each limit go.
        foreach (var (complete, limitField) in new[] { (true, "successfulJobsHistoryLimit"), (false, "failedJobsHistoryLimit") })
        {
            if (spec[limitField].GetLong() is not { } limit) continue;
            var finished = jobs.Where(j => JobConditions.IsFinished(j) && JobConditions.Is(j, JobConditions.Complete) == complete)
                .OrderBy(j => JobConditions.FinishedAt(j) ?? DateTimeOffset.MinValue).ThenBy(j => j.Name(), StringComparer.Ordinal).ToList();
            foreach (var job in finished.Take(Math.Max(0, finished.Count - (int)limit)))
            {
                delete.Add(job.Name());
                events.Add(new("Normal", "SuccessfulDelete", $"Deleted job {job.Name()}"));
            }
        }

        var (schedule, error) = CronSchedule.Parse(spec.GetString("schedule"), spec.GetString("timeZone"));
        if (schedule is null)
        {
            events.Add(new("Warning", "UnparseableSchedule", $"unparseable schedule: {spec.GetString("schedule")}: {error}"));
            return Done(null, delete, status, active, events, null);
        }
        if (JobLabels.IsTrue(spec["suspend"])) return Done(null, delete, status, active, events, null);

        var earliest = JobConditions.Time(status["lastScheduleTime"]) ?? cronJob.Timestamp("creationTimestamp") ?? now;
        var deadline = spec["startingDeadlineSeconds"].GetLong();
        if (deadline is { } seconds && now.AddSeconds(-seconds) > earliest) earliest = now.AddSeconds(-seconds);
        var next = schedule.Next(now);
        TimeSpan? recheck = next is { } n ? n - now : null;
        var (mostRecent, tooMany) = MostRecent(schedule, earliest, now);
        if (mostRecent is not { } scheduled) return Done(null, delete, status, active, events, recheck);
        if (tooMany)
            events.Add(new("Warning", "TooManyMissedTimes", $"too many missed start times: > {MissedLimit}. Set or decrease .spec.startingDeadlineSeconds or check clock skew"));
        if (deadline is { } d && scheduled.AddSeconds(d) < now)
        {
            events.Add(new("Warning", "MissSchedule", $"Missed scheduled time to start a job: {ObjectMeta.FormatTime(scheduled)}"));
            return Done(null, delete, status, active, events, recheck);
        }
        var name = JobName(cronJob, scheduled);
        if (jobs.Any(j => j.Name() == name) || ownedJobs.Any(j => j.Name() == name))
        {
            // Already made (a sync that created it and did not get to write the status).
            status["lastScheduleTime"] = ObjectMeta.FormatTime(scheduled);
            return Done(null, delete, status, active, events, recheck);
        }
        var policy = spec.GetString("concurrencyPolicy") ?? "Allow";
        if (policy == "Forbid" && active.Count > 0)
        {
            events.Add(new("Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid"));
            return Done(null, delete, status, active, events, recheck);
        }
        if (policy == "Replace")
        {
            foreach (var job in active)
            {
                delete.Add(job.Name());
                events.Add(new("Normal", "SuccessfulDelete", $"Deleted job {job.Name()}"));
            }
            active = [];
        }
        status["lastScheduleTime"] = ObjectMeta.FormatTime(scheduled);
        return Done(NewJob(cronJob, name, scheduled, schedule.Zone), delete, status, active, events, recheck);
    }

    private static CronJobPlan Done(JsonObject? create, List<string> delete, JsonObject status, List<JsonObject> active, List<ControllerEvent> events, TimeSpan? recheck)
    {
        status["active"] = new JsonArray(active.Where(j => !delete.Contains(j.Name())).Select(j => (JsonNode)Reference(j)).ToArray());
        return new CronJobPlan(create, delete, status, events, recheck);
    }

    /// <summary>
    /// The most recent scheduled time in (<paramref name="earliest"/>, <paramref name="now"/>], and
    /// whether more than <see cref="MissedLimit"/> were missed. Beyond the limit the most recent one
    /// is searched in growing windows before now, so a long outage costs a few steps, not one per
    /// missed time.
    /// </summary>
    public static (DateTimeOffset? MostRecent, bool TooMany) MostRecent(CronSchedule schedule, DateTimeOffset earliest, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var counted = schedule.Between(earliest, now, MissedLimit + 1).ToList();
        if (counted.Count <= MissedLimit) return (counted.Count == 0 ? null : counted[^1], false);
        foreach (var window in new[] { TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(367), TimeSpan.FromDays(3700) })
        {
            var from = now - window > earliest ? now - window : earliest;
            DateTimeOffset? last = null;
            foreach (var t in schedule.Between(from, now, int.MaxValue)) last = t;
            if (last is not null) return (last, true);
        }
        return (counted[^1], true);
    }

    /// <summary>The Job of the time <paramref name="scheduled"/>: <c>NAME-&lt;minutes since the epoch&gt;</c>, as Kubernetes names it.</summary>
    public static string JobName(JsonObject cronJob, DateTimeOffset scheduled)
    {
        ArgumentNullException.ThrowIfNull(cronJob);
        return $"{cronJob.Name()}-{(scheduled.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>A Job from the CronJob's jobTemplate, controlled by the CronJob.</summary>
    public static JsonObject NewJob(JsonObject cronJob, string name, DateTimeOffset scheduled, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(cronJob);
        ArgumentNullException.ThrowIfNull(zone);
        var template = cronJob["spec"]?["jobTemplate"] as JsonObject ?? new JsonObject();
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        meta["name"] = name;
        meta["namespace"] = cronJob.Namespace();
        if (meta["annotations"] is not JsonObject annotations) meta["annotations"] = annotations = new JsonObject();
        // RFC 3339 as Go writes it: "Z" for a zero offset.
        var local = TimeZoneInfo.ConvertTime(scheduled, zone);
        annotations[ScheduledTimestamp] = local.Offset == TimeSpan.Zero
            ? ObjectMeta.FormatTime(local)
            : local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        meta["ownerReferences"] = new JsonArray(PodHelpers.NewControllerRef(cronJob));
        return new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = meta,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }

    /// <summary>An entry of <c>status.active</c>: an ObjectReference to the Job.</summary>
    public static JsonObject Reference(JsonObject job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["name"] = job.Name(),
            ["namespace"] = job.Namespace(),
            ["uid"] = job.Uid(),
        };
    }

    /// <summary>True when two versions of a Job look the same to <see cref="Plan"/>: finished or not, how, deletion.</summary>
    public static bool SameInputs(JsonObject previous, JsonObject current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        return previous.IsDeleting() == current.IsDeleting()
            && JobConditions.IsFinished(previous) == JobConditions.IsFinished(current)
            && JobConditions.Is(previous, JobConditions.Complete) == JobConditions.Is(current, JobConditions.Complete);
    }
}
