using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Jobs;

/// <summary>
/// The delay before a Job makes a pod again after failures, as Kubernetes: <c>base</c> after the
/// first failure, doubling with each further one, at most <c>max</c> (10 s and 6 min there).
/// </summary>
public sealed record JobBackoff(TimeSpan Base, TimeSpan Max)
{
    public static JobBackoff Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(6));

    public TimeSpan Delay(long failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        var ticks = Base.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}

/// <summary>An Event a sync records about the object it synced.</summary>
public sealed record ControllerEvent(string Type, string Reason, string Message);

/// <summary>
/// What a Job sync does: create these pods, delete these (active) pods, write this status, delete
/// the Job itself (its ttlSecondsAfterFinished passed), record these Events, and look again after
/// <see cref="RecheckAfter"/> (a backoff, the active deadline or the TTL running out).
/// </summary>
public sealed record JobPlan(
    IReadOnlyList<JsonObject> Create,
    IReadOnlyList<string> Delete,
    JsonObject? Status,
    bool DeleteJob,
    IReadOnlyList<ControllerEvent> Events,
    TimeSpan? RecheckAfter)
{
    public bool ChangesPods => Create.Count > 0 || Delete.Count > 0;
}

/// <summary>
/// The pure Job reconciler (Kubernetes' syncJob without the side effects). Given the Job and the
/// pods it controls:
/// <code>
///   deleting ─────────────────────────────────────────────► nothing (the garbage collector takes the pods)
///   finished (Complete/Failed) ───────────────────────────► delete leftover active pods; TTL passed? delete the Job
///   suspended ────────────────────────────────────────────► delete active pods, condition Suspended
///   FailJob rule matched | failed > backoffLimit | past activeDeadlineSeconds ─► Failed, delete active pods
///   enough succeeded (completions; every index; or any, for a work queue) ─► Complete
///   otherwise ──► keep min(parallelism, what is left) pods active, a failure's backoff before new pods
/// </code>
/// succeeded and failed never go down (a finished pod deleted by hand still counted); pods a
/// podFailurePolicy Ignore rule matched are not counted. While the controller still expects its
/// earlier creates/deletes, no pods are created or deleted.
/// </summary>
public static class JobReconciler
{
    public static JobPlan Reconcile(JsonObject job, IEnumerable<JsonObject> pods, DateTimeOffset now, JobBackoff backoff, bool expectationsSatisfied)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(backoff);
        if (job.IsDeleting()) return new JobPlan([], [], null, false, [], null);
        var spec = job["spec"] as JsonObject ?? new JsonObject();
        var status = (job["status"]?.DeepClone() as JsonObject) ?? new JsonObject();
        var completions = spec["completions"].GetLong();
        var parallelism = spec["parallelism"].GetLong() ?? 1;
        var indexed = spec.GetString("completionMode") == "Indexed";
        var policy = spec["podFailurePolicy"];
        var owned = pods.ToList();
        var active = owned.Where(PodHelpers.IsActive).ToList();
        var failedPods = new List<JsonObject>();
        FailureRuleMatch? failJob = null;
        foreach (var pod in owned.Where(p => PodHelpers.Phase(p) == "Failed"))
        {
            var match = JobFailurePolicy.Match(policy, pod);
            if (match?.Action == "Ignore") continue;
            if (match?.Action == "FailJob") failJob ??= match;
            failedPods.Add(pod);
        }
        var succeededPods = owned.Where(p => PodHelpers.Phase(p) == "Succeeded").ToList();
        var completed = indexed ? JobIndexes.Parse(status.GetString("completedIndexes"), completions ?? 0) : [];
        if (indexed)
            foreach (var i in succeededPods.Select(JobIndexes.Of).OfType<int>().Where(i => i < completions)) completed.Add(i);
        var succeeded = indexed ? completed.Count : Math.Max(status["succeeded"].GetLong() ?? 0, succeededPods.Count);
        var failed = Math.Max(status["failed"].GetLong() ?? 0, failedPods.Count);
        var restarts = job["spec"]?["template"]?["spec"].AsObjectOrNull().GetString("restartPolicy") == "OnFailure" ? active.Sum(JobPods.Restarts) : 0;
        status["succeeded"] = succeeded;
        status["failed"] = failed;
        if (indexed) status["completedIndexes"] = JobIndexes.Format(completed);
        var events = new List<ControllerEvent>();
        var activeNames = active.Select(p => p.Name()).ToList();

        if (JobConditions.IsFinished(job))
        {
            SetActive(status, active.Count, expectationsSatisfied ? activeNames.Count : 0);
            var finishedAt = JobConditions.FinishedAt(job) ?? now;
            if (spec["ttlSecondsAfterFinished"].GetLong() is { } ttl)
            {
                var expires = finishedAt.AddSeconds(ttl);
                if (now >= expires) return new JobPlan([], [], null, true, [], null);
                return Plan(expectationsSatisfied ? activeNames : [], status, events, expires - now);
            }
            return Plan(expectationsSatisfied ? activeNames : [], status, events, null);
        }

        var conditions = status["conditions"] as JsonArray;
        if (JobLabels.IsTrue(spec["suspend"]))
        {
            if (!JobConditions.Is(job, JobConditions.Suspended))
            {
                status["conditions"] = JobConditions.With(conditions, JobConditions.Suspended, "True", "JobSuspended", "Job suspended", now);
                events.Add(new("Normal", "Suspended", "Job suspended"));
            }
            SetActive(status, active.Count, expectationsSatisfied ? activeNames.Count : 0);
            return Plan(expectationsSatisfied ? activeNames : [], status, events, null);
        }
        var start = JobConditions.Time(status["startTime"]);
        if (JobConditions.Is(job, JobConditions.Suspended))
        {
            status["conditions"] = conditions = JobConditions.With(conditions, JobConditions.Suspended, "False", "JobResumed", "Job resumed", now);
            events.Add(new("Normal", "Resumed", "Job resumed"));
            start = null; // the active deadline counts from the resume, as Kubernetes resets startTime
        }
        start ??= now;
        status["startTime"] = ObjectMeta.FormatTime(start.Value);

        var deadline = spec["activeDeadlineSeconds"].GetLong() is { } seconds ? start.Value.AddSeconds(seconds) : (DateTimeOffset?)null;
        var failure =
            failJob is not null ? ("PodFailurePolicy", failJob.Message)
            : failed + restarts > (spec["backoffLimit"].GetLong() ?? 6) ? ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
            : deadline is not null && now >= deadline ? ("DeadlineExceeded", "Job was active longer than specified deadline")
            : ((string Reason, string Message)?)null;
        if (failure is { } f)
        {
            status["conditions"] = JobConditions.With(conditions, JobConditions.Failed, "True", f.Reason, f.Message, now);
            events.Add(new("Warning", f.Reason, f.Message));
            SetActive(status, active.Count, expectationsSatisfied ? activeNames.Count : 0);
            return Plan(expectationsSatisfied ? activeNames : [], status, events, TtlRecheck(spec));
        }

        var complete = completions is { } c ? succeeded >= c : succeeded > 0 && active.Count == 0;
        if (complete)
        {
            status["conditions"] = JobConditions.With(conditions, JobConditions.Complete, "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
            status["completionTime"] = ObjectMeta.FormatTime(now);
            events.Add(new("Normal", "Completed", "Job completed"));
            SetActive(status, active.Count, expectationsSatisfied ? activeNames.Count : 0);
            return Plan(expectationsSatisfied ? activeNames : [], status, events, TtlRecheck(spec));
        }

        var create = new List<JsonObject>();
        var delete = new List<string>();
        TimeSpan? recheck = deadline is { } d ? d - now : null;
        var readyAt = failedPods.Count == 0 ? now : failedPods.Max(p => JobPods.FinishedAt(p) ?? now) + backoff.Delay(failedPods.Count);
        if (indexed)
        {
            // One active pod per index: a duplicate (two creates raced) goes, and so does an index already completed.
            var held = new HashSet<int>();
            foreach (var pod in active.OrderBy(p => p.Metadata().GetString("creationTimestamp"), StringComparer.Ordinal))
            {
                if (JobIndexes.Of(pod) is { } i && i < completions && !completed.Contains(i) && held.Add(i)) continue;
                delete.Add(pod.Name());
            }
            var want = (int)Math.Min(parallelism, (completions ?? 0) - completed.Count) - held.Count;
            var pending = Enumerable.Range(0, (int)(completions ?? 0)).Where(i => !completed.Contains(i) && !held.Contains(i));
            if (want > 0 && expectationsSatisfied)
            {
                if (now < readyAt) recheck = Earliest(recheck, readyAt - now);
                else create.AddRange(pending.Take(want).Select(i => JobPods.New(job, i)));
            }
        }
        else
        {
            var wantActive = completions is { } total ? Math.Min(parallelism, total - succeeded) : succeeded > 0 ? 0 : parallelism;
            var diff = wantActive - active.Count;
            if (diff > 0 && expectationsSatisfied)
            {
                if (now < readyAt) recheck = Earliest(recheck, readyAt - now);
                else create.AddRange(Enumerable.Range(0, (int)diff).Select(_ => JobPods.New(job, null)));
            }
            else if (diff < 0)
            {
                delete.AddRange(active.OrderBy(p => PodHelpers.IsReady(p) ? 1 : 0)
                    .ThenByDescending(p => p.Metadata().GetString("creationTimestamp"), StringComparer.Ordinal)
                    .Take((int)-diff).Select(p => p.Name()));
            }
        }
        if (!expectationsSatisfied) delete.Clear();
        status["active"] = active.Count - delete.Count + create.Count;
        status["ready"] = active.Count(p => PodHelpers.IsReady(p) && !delete.Contains(p.Name()));
        return new JobPlan(create, delete, status, false, events, recheck);
    }

    /// <summary>The pods left active once <paramref name="deleting"/> of them are deleted (all of them, in every finishing case).</summary>
    private static void SetActive(JsonObject status, int active, int deleting)
    {
        status["active"] = active - deleting;
        status["ready"] = 0;
    }

    private static JobPlan Plan(IReadOnlyList<string> delete, JsonObject status, List<ControllerEvent> events, TimeSpan? recheck) =>
        new([], delete, status, false, events, recheck);

    private static TimeSpan? TtlRecheck(JsonObject spec) =>
        spec["ttlSecondsAfterFinished"].GetLong() is { } ttl ? TimeSpan.FromSeconds(ttl) : null;

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan b) => a is null || b < a ? b : a;

    /// <summary>
    /// True when two versions of a pod look the same to <see cref="Reconcile"/>: phase, deletion,
    /// readiness, container exit codes and restarts, and its index. Binds and IPs need no sync.
    /// </summary>
    public static bool SameInputs(JsonObject previous, JsonObject current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        return previous.IsDeleting() == current.IsDeleting()
            && PodHelpers.Phase(previous) == PodHelpers.Phase(current)
            && PodHelpers.IsReady(previous) == PodHelpers.IsReady(current)
            && JobPods.Restarts(previous) == JobPods.Restarts(current)
            && JsonNode.DeepEquals(previous["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]?["exitCode"], current["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]?["exitCode"]);
    }
}
