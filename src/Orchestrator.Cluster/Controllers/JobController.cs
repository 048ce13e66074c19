using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using static Orchestrator.Cluster.Controllers.ControllerWrites;

namespace Orchestrator.Cluster.Controllers;

/// <summary>
/// Runs every Job's pods to completion: watches Jobs and pods, enqueues the Job a pod change
/// concerns, and per key applies the plan of the pure <see cref="JobReconciler"/> (create pods in
/// slow-start batches, delete pods, status, Events, delete the Job once its TTL passed), syncing
/// again when a backoff, the active deadline or the TTL runs out. Expectations keep it from acting
/// twice on one observation.
/// </summary>
public sealed class JobController : ControllerActor
{
    public const string Component = "job-controller";

    private readonly JobBackoff _backoff;
    private readonly Expectations _expectations;
    private readonly Dictionary<string, JsonObject> _jobs = new(StringComparer.Ordinal);
    private readonly OwnerIndex _pods = new(OwnerLinks.Controller);

    public JobController(IControllerStore store, ControllerSettings settings, TimeProvider time)
        : base(store, [ObjectFilter.All(JobKind.Instance.Kind), ObjectFilter.All(PodKind.Instance.Kind)], time)
    {
        _backoff = settings.JobBackoff;
        _expectations = new Expectations(settings.ExpectationsTimeout);
    }

    public static Props Props(IControllerStore store, ControllerSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new JobController(store, settings, time));

    protected override IEnumerable<string> AllKeys() => _jobs.Keys.ToList();

    protected override IEnumerable<string> OnObserved(string kind, WatchEvent e)
    {
        var obj = e.Object;
        var key = KeyOf(obj);
        if (kind == JobKind.Instance.Kind)
        {
            if (ObserveOwner(_jobs, _pods, key, e)) _expectations.Forget(key);
            return [key];
        }
        var previous = e.Type == WatchEventType.Deleted ? _pods.Forget(key) : _pods.Observe(key, obj);
        if (_pods.OwnerKey(PodHelpers.ControllerRef(obj).GetString("uid")) is not { } owner) return [];
        _expectations.Observed(owner, key, e.Type, obj.IsDeleting());
        return MayMatter(e, previous, JobReconciler.SameInputs) ? [owner] : [];
    }

    protected override void OnSyncFailed(string key, Exception error) => _expectations.Forget(key);

    protected override Task Sync(string key)
    {
        if (!_jobs.TryGetValue(key, out var job)) return Task.CompletedTask;
        var now = Time.GetUtcNow();
        var pods = _pods.DependentsOf(job.Uid()).Values.ToList();
        var plan = JobReconciler.Reconcile(job, pods, now, _backoff, _expectations.Satisfied(key, now));
        if (plan.ChangesPods) _expectations.Expect(key, plan.Create.Count, plan.Delete.Select(name => $"{job.Namespace()}/{name}"), now);
        if (plan.RecheckAfter is { } after) RetryAfter(key, after + TimeSpan.FromMilliseconds(100));
        var statusChanged = plan.Status is not null && ReplicaSetReconciler.StatusChanged(job, plan.Status);
        if (!plan.ChangesPods && !plan.DeleteJob && !statusChanged && plan.Events.Count == 0) return Task.CompletedTask;
        return Apply(Store, job, plan, statusChanged, now, Stopping);
    }

    private static async Task Apply(IControllerStore store, JsonObject job, JobPlan plan, bool statusChanged, DateTimeOffset now, CancellationToken ct)
    {
        var ns = job.Namespace();
        if (plan.DeleteJob)
        {
            try
            {
                await store.Delete(JobKind.Instance, ns, job.Name(), new DeleteRequest(PreconditionUid: job.Uid(), PropagationPolicy: DeletionPropagation.Background), ct);
            }
            catch (ApiErrorException e) when (e.Error.Code is 404 or 409)
            {
            }
            return;
        }
        // Slow start (1, 2, 4, ...): a template the API refuses fails once, not N times.
        var batch = 1;
        for (var done = 0; done < plan.Create.Count; batch *= 2)
        {
            var pods = plan.Create.Skip(done).Take(batch).ToList();
            var created = await Task.WhenAll(pods.Select(p => store.Create(PodKind.Instance, ns, p, ct)));
            done += pods.Count;
            foreach (var pod in created) await RecordEvent(store, job, "Normal", "SuccessfulCreate", $"Created pod: {pod.Name()}", Component, now, ct);
        }
        if (plan.Delete.Count > 0)
        {
            await Task.WhenAll(plan.Delete.Select(name => IgnoreGone(store.Delete(PodKind.Instance, ns, name, new DeleteRequest(), ct))));
            foreach (var name in plan.Delete) await RecordEvent(store, job, "Normal", "SuccessfulDelete", $"Deleted pod: {name}", Component, now, ct);
        }
        if (statusChanged)
            await IgnoreGone(store.Patch(JobKind.Instance, ns, job.Name(), PatchType.Merge, new JsonObject { ["status"] = plan.Status!.DeepClone() }, Subresource.Status, ct));
        foreach (var e in plan.Events) await RecordEvent(store, job, e.Type, e.Reason, e.Message, Component, now, ct);
    }
}
