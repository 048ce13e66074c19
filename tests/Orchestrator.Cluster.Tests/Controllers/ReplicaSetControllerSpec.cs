using System.Text.Json.Nodes;
using Akka.TestKit.Xunit2;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Stores;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Cluster.Tests.Controllers;

public sealed class ReplicaSetControllerSpec : TestKit
{
    private readonly InMemoryStore _store = new();

    private void Start() => Sys.ActorOf(ReplicaSetController.Props(_store, ControllerSettings.Default, TimeProvider.System));

    private int Deletes() { lock (_store.Writes) return _store.Writes.Count(w => w.StartsWith("delete Pod", StringComparison.Ordinal)); }

    private int Creates() { lock (_store.Writes) return _store.Writes.Count(w => w.StartsWith("create Pod", StringComparison.Ordinal)); }

    [Fact]
    public void Creates_exactly_the_missing_pods_once_and_reports_status()
    {
        _store.Put(ReplicaSetKind.Instance, TestObjects.ReplicaSet("web", 3, uid: null, generation: 1));
        Start();
        AwaitAssert(() =>
        {
            Assert.Equal(3, _store.All("Pod").Count);
            Assert.Equal(3, _store.Find("ReplicaSet", "default", "web")!["status"]?["replicas"].GetLong());
        }, TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(3, Creates());
        Assert.All(_store.All("Pod"), p => Assert.Equal(_store.Find("ReplicaSet", "default", "web")!.Uid(), PodHelpers.ControllerRef(p).GetString("uid")));
    }

    [Fact]
    public async Task Replaces_a_deleted_pod_scales_down_and_counts_ready_pods()
    {
        _store.Put(ReplicaSetKind.Instance, TestObjects.ReplicaSet("web", 2, uid: null, generation: 1));
        Start();
        AwaitAssert(() => Assert.Equal(2, _store.All("Pod").Count), TimeSpan.FromSeconds(5));
        var victim = _store.All("Pod")[0];
        _store.Remove(PodKind.Instance, "default", victim.Name());
        AwaitAssert(() => Assert.Equal(2, _store.All("Pod").Count), TimeSpan.FromSeconds(5));
        Assert.Equal(3, Creates());

        var ready = _store.All("Pod")[0];
        ready["status"] = new JsonObject { ["phase"] = "Running", ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) };
        _store.Put(PodKind.Instance, ready);
        AwaitAssert(() => Assert.Equal(1, _store.Find("ReplicaSet", "default", "web")!["status"]?["readyReplicas"].GetLong()), TimeSpan.FromSeconds(5));

        await _store.Patch(ReplicaSetKind.Instance, "default", "web", PatchType.Merge, JsonNode.Parse("""{"spec":{"replicas":1}}""")!);
        AwaitAssert(() =>
        {
            var left = Assert.Single(_store.All("Pod"));
            Assert.Equal(ready.Name(), left.Name()); // the ready pod stays
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Adopts_a_matching_orphan_instead_of_creating()
    {
        _store.Put(PodKind.Instance, TestObjects.Pod("orphan", phase: "Pending"));
        _store.Put(ReplicaSetKind.Instance, TestObjects.ReplicaSet("web", 1, uid: null, generation: 1));
        Start();
        AwaitAssert(() => Assert.NotNull(PodHelpers.ControllerRef(_store.Find("Pod", "default", "orphan")!)), TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, Creates());
    }

    [Fact]
    public void Failed_creates_are_retried()
    {
        var failures = 3;
        _store.FailWrite = verb => verb == "create" && Interlocked.Decrement(ref failures) >= 0 ? ApiError.Internal("journal unavailable") : null;
        _store.Put(ReplicaSetKind.Instance, TestObjects.ReplicaSet("web", 2, uid: null, generation: 1));
        Start();
        AwaitAssert(() => Assert.Equal(2, _store.All("Pod").Count(p => PodHelpers.ControllerRef(p) is not null)), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_graceful_delete_is_counted_once_while_other_deletes_are_still_unseen()
    {
        _store.GracefulPodDeletes = true;
        _store.Put(ReplicaSetKind.Instance, TestObjects.ReplicaSet("web", 3, uid: null, generation: 1));
        Start();
        AwaitAssert(() => Assert.Equal(3, _store.All("Pod").Count), TimeSpan.FromSeconds(5));

        // The first pod the scale-down deletes is seen at once (deletion timestamp, then DELETED);
        // the watch is slow to show the second one's deletion timestamp.
        string? firstSeen = null;
        _store.HoldEvent = (kind, e) =>
        {
            if (kind != "Pod" || e.Type != WatchEventType.Modified || !e.Object.IsDeleting()) return false;
            if (firstSeen is null || firstSeen == e.Object.Name())
            {
                firstSeen = e.Object.Name();
                return false;
            }
            return true;
        };
        await _store.Patch(ReplicaSetKind.Instance, "default", "web", PatchType.Merge, JsonNode.Parse("""{"spec":{"replicas":1}}""")!);
        AwaitAssert(() => Assert.Equal(2, _store.All("Pod").Count(p => p.IsDeleting())), TimeSpan.FromSeconds(5));
        Assert.Equal(2, Deletes());
        var kept = _store.All("Pod").Single(p => !p.IsDeleting());

        _store.Remove(PodKind.Instance, "default", firstSeen!);
        // A change of the kept pod after the DELETED event: once its readiness is in the status,
        // the controller has synced with that DELETED event in its cache.
        kept["status"] = new JsonObject { ["phase"] = "Running", ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) };
        _store.Put(PodKind.Instance, kept);
        AwaitAssert(() => Assert.Equal(1, _store.Find("ReplicaSet", "default", "web")!["status"]?["readyReplicas"].GetLong()), TimeSpan.FromSeconds(5));
        Assert.Equal(2, Deletes());

        _store.ReleaseHeld();
        AwaitAssert(() => Assert.Equal(1, _store.Find("ReplicaSet", "default", "web")!["status"]?["replicas"].GetLong()), TimeSpan.FromSeconds(5));
        Assert.Equal(2, Deletes());
        Assert.False(_store.Find("Pod", "default", kept.Name())!.IsDeleting());
    }
}
