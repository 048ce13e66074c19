using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.CronJobs;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Resources;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Starts every CronJob's Jobs on schedule: watches CronJobs and Jobs, and per key applies the plan
/// of the pure <see cref="CronJobPlanner"/> (with this controller's clock): delete replaced Jobs and
/// those beyond the history limits, create the Job of the most recent scheduled time, write status,
/// record Events, and sync again at the next scheduled time.
/// </summary>
public sealed class CronJobController : ControllerActor
{
    public const string Component = "cronjob-controller";

    private readonly Dictionary<string, JsonObject> _cronJobs = new(StringComparer.Ordinal);
    private readonly OwnerIndex _jobs = new(OwnerLinks.Controller);

    public CronJobController(IControllerStore store, TimeProvider time)
        : base(store, [ObjectFilter.All(CronJobKind.Instance.Kind), ObjectFilter.All(JobKind.Instance.Kind)], time)
    {
    }

    public static Props Props(IControllerStore store, TimeProvider time) => Akka.Actor.Props.Create(() => new CronJobController(store, time));

    protected override IEnumerable<string> AllKeys() => _cronJobs.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        var key = KeyOf(obj);
        if (kind == CronJobKind.Instance.Kind)
        {
            ObserveOwner(_cronJobs, _jobs, key, e);
            return [key];
        }
        var previous = e.Type == WatchEventType.Deleted ? _jobs.Forget(key) : _jobs.Observe(key, obj);
        if (_jobs.OwnerKey(PodHelpers.ControllerRef(obj).GetString("uid")) is not { } owner) return [];
        return MayMatter(e, previous, CronJobPlanner.SameInputs) ? [owner] : [];
    }

    protected override Task Sync(string key)
    {
        if (!_cronJobs.TryGetValue(key, out var cronJob)) return Task.CompletedTask;
        var now = Time.GetUtcNow();
        var plan = CronJobPlanner.Plan(cronJob, _jobs.DependentsOf(cronJob.Uid()).Values.ToList(), now);
        if (plan.RecheckAfter is { } after) RetryAfter(key, after + TimeSpan.FromMilliseconds(100));
        var statusChanged = plan.Status is not null && (plan.Create is not null || ReplicaSetReconciler.StatusChanged(cronJob, plan.Status));
        if (plan.Create is null && plan.Delete.Count == 0 && !statusChanged && plan.Events.Count == 0) return Task.CompletedTask;
        return Apply(Store, cronJob, plan, statusChanged, now, Stopping);
    }

    private static async Task Apply(IControllerStore store, JsonObject cronJob, CronJobPlan plan, bool statusChanged, DateTimeOffset now, CancellationToken ct)
    {
        var ns = cronJob.Namespace();
        foreach (var name in plan.Delete)
            await IgnoreGone(store.Delete(JobKind.Instance, ns, name, new DeleteRequest(PropagationPolicy: DeletionPropagation.Background), ct));
        var status = plan.Status?.DeepClone().AsObject();
        if (plan.Create is { } job)
        {
            JsonObject created;
            try
            {
                created = await store.Create(JobKind.Instance, ns, job, ct);
                await RecordEvent(store, cronJob, "Normal", "SuccessfulCreate", $"Created job {created.Name()}", Component, now, ct);
            }
            catch (ApiErrorException e) when (e.Error.Code == 409)
            {
                created = await store.Get(JobKind.Instance, ns, job.Name(), ct);
            }
            (status!["active"] as JsonArray)?.Add(CronJobPlanner.Reference(created));
        }
        foreach (var e in plan.Events) await RecordEvent(store, cronJob, e.Type, e.Reason, e.Message, Component, now, ct);
        if (statusChanged && status is not null)
            await IgnoreGone(store.Patch(CronJobKind.Instance, ns, cronJob.Name(), PatchType.Merge, new JsonObject { ["status"] = status }, Subresource.Status, ct));
    }
}
