using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class ReplicaSetReconcilerTests
{
    [Fact]
    public void Creates_the_missing_pods_up_to_the_burst()
    {
        var plan = ReplicaSetReconciler.Reconcile(TestObjects.ReplicaSet(replicas: 5), [TestObjects.Pod("a", "rs-uid")], TestObjects.Now, burst: 3, expectationsSatisfied: true);
        Assert.Equal(3, plan.Create);
        Assert.Empty(plan.Delete);
    }

    [Fact]
    public void Does_nothing_to_pods_while_its_own_writes_are_not_observed_but_still_reports_status()
    {
        var plan = ReplicaSetReconciler.Reconcile(TestObjects.ReplicaSet(replicas: 5), [TestObjects.Pod("a", "rs-uid", ready: true)], TestObjects.Now, 500, expectationsSatisfied: false);
        Assert.False(plan.ChangesPods);
        Assert.Equal(1, plan.Status["readyReplicas"].GetLong());
        Assert.Equal(2, plan.Status["observedGeneration"].GetLong());
    }

    [Fact]
    public void Scales_down_unscheduled_then_not_ready_pods_first()
    {
        var pods = new[]
        {
            TestObjects.Pod("ready", "rs-uid", ready: true, node: "n"),
            TestObjects.Pod("notready", "rs-uid", node: "n"),
            TestObjects.Pod("unscheduled", "rs-uid", phase: "Pending"),
        };
        var plan = ReplicaSetReconciler.Reconcile(TestObjects.ReplicaSet(replicas: 1), pods, TestObjects.Now, 500, true);
        Assert.Equal(["unscheduled", "notready"], plan.Delete);
    }

    [Fact]
    public void Adopts_matching_orphans_releases_mismatched_pods_and_leaves_other_owners_alone()
    {
        var pods = new[]
        {
            TestObjects.Pod("orphan", null),
            TestObjects.Pod("relabelled", "rs-uid", app: "other"),
            TestObjects.Pod("foreign", "other-uid"),
            TestObjects.Pod("unrelated", null, app: "db"),
        };
        var plan = ReplicaSetReconciler.Reconcile(TestObjects.ReplicaSet(replicas: 1), pods, TestObjects.Now, 500, true);
        Assert.Equal(["orphan"], plan.Adopt);
        Assert.Equal(["relabelled"], plan.Release);
        Assert.Equal(0, plan.Create);
        Assert.Empty(plan.Delete);
    }

    [Fact]
    public void Available_means_ready_for_min_ready_seconds_and_asks_to_look_again_then()
    {
        var pods = new[]
        {
            TestObjects.Pod("old", "rs-uid", ready: true, readySince: TestObjects.Now.AddSeconds(-30)),
            TestObjects.Pod("fresh", "rs-uid", ready: true, readySince: TestObjects.Now.AddSeconds(-2)),
        };
        var plan = ReplicaSetReconciler.Reconcile(TestObjects.ReplicaSet(replicas: 2, minReadySeconds: 10), pods, TestObjects.Now, 500, true);
        Assert.Equal(2, plan.Status["readyReplicas"].GetLong());
        Assert.Equal(1, plan.Status["availableReplicas"].GetLong());
        Assert.InRange(plan.RecheckAfter!.Value, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(9));
    }

    [Fact]
    public void New_pods_carry_the_template_and_a_controller_reference()
    {
        var pod = ReplicaSetReconciler.NewPod(TestObjects.ReplicaSet());
        Assert.Equal("web-1-", pod.Metadata().GetString("generateName"));
        Assert.Equal("web", pod.Labels()["app"]);
        Assert.Equal("rs-uid", PodHelpers.ControllerRef(pod).GetString("uid"));
        Assert.Equal("nginx", pod["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    private static readonly Gen<JsonObject> PodGen =
        from i in Gen.Choose(0, 100_000)
        from owner in Gen.Elements<string?>("rs-uid", "rs-uid", "other", null)
        from app in Gen.Elements("web", "web", "db")
        from ready in Gen.Elements(true, false)
        from node in Gen.Elements<string?>("n1", null)
        from phase in Gen.Elements("Running", "Running", "Pending", "Succeeded", "Failed")
        from deleting in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        select TestObjects.Pod($"p{i}", owner, app, ready, node, phase, deleting);

    [Property(MaxTest = 300)]
    public Property Applying_the_plan_reaches_the_desired_count_and_touches_only_its_own_pods() =>
        Prop.ForAll(
            Gen.Choose(0, 20).ToArbitrary(),
            Gen.Choose(1, 10).ToArbitrary(),
            Gen.ListOf(PodGen).Select(ps => ps.DistinctBy(p => p.Name()).ToList()).ToArbitrary(),
            (desired, burst, pods) =>
            {
                var rs = TestObjects.ReplicaSet(replicas: desired);
                var plan = ReplicaSetReconciler.Reconcile(rs, pods, TestObjects.Now, burst, true);
                var mine = pods.Where(p => PodHelpers.ControllerRef(p).GetString("uid") == "rs-uid" && p.Labels()["app"] == "web"
                        || plan.Adopt.Contains(p.Name()))
                    .Where(PodHelpers.IsActive).ToList();
                var deletesOwn = plan.Delete.All(d => mine.Any(p => p.Name() == d));
                var adoptsOrphans = plan.Adopt.All(a => pods.Single(p => p.Name() == a) is var p && PodHelpers.ControllerRef(p) is null && p.Labels()["app"] == "web");
                var after = mine.Count + plan.Create - plan.Delete.Count;
                var expected = Math.Abs(mine.Count - desired) <= burst ? desired : mine.Count + Math.Sign(desired - mine.Count) * burst;
                return deletesOwn && adoptsOrphans && after == expected && plan.Create <= burst && plan.Delete.Count <= burst
                    && (plan.Create == 0 || plan.Delete.Count == 0)
                    && plan.Status["replicas"].GetLong() == mine.Count;
            });

    [Property]
    public Property Expectations_hold_back_until_every_write_is_observed() =>
        Prop.ForAll(Gen.Choose(0, 5).ToArbitrary(), Gen.Choose(0, 5).ToArbitrary(), (adds, deletes) =>
        {
            var e = new Expectations(TimeSpan.FromMinutes(5));
            var pods = Enumerable.Range(0, deletes).Select(i => $"default/p{i}").ToList();
            e.Expect("k", adds, pods, TestObjects.Now);
            var steps = new List<bool>();
            for (var i = 0; i < adds; i++) { steps.Add(e.Satisfied("k", TestObjects.Now)); e.CreationObserved("k"); }
            foreach (var pod in pods) { steps.Add(e.Satisfied("k", TestObjects.Now)); e.DeletionObserved("k", pod); }
            return steps.All(s => !s) && e.Satisfied("k", TestObjects.Now) && (adds + deletes == 0 || e.Satisfied("x", TestObjects.Now));
        });

    [Fact]
    public void A_graceful_delete_is_one_observation_and_a_foreign_delete_none()
    {
        var e = new Expectations(TimeSpan.FromMinutes(5));
        e.Expect("k", 0, ["default/a", "default/b"], TestObjects.Now);
        e.DeletionObserved("k", "default/a"); // deletion timestamp
        e.DeletionObserved("k", "default/a"); // DELETED, later
        e.DeletionObserved("k", "default/c"); // a pod someone else deleted
        Assert.False(e.Satisfied("k", TestObjects.Now));
        e.DeletionObserved("k", "default/b");
        Assert.True(e.Satisfied("k", TestObjects.Now));
    }

    [Fact]
    public void Expectations_expire()
    {
        var e = new Expectations(TimeSpan.FromMinutes(5));
        e.Expect("k", 1, [], TestObjects.Now);
        Assert.False(e.Satisfied("k", TestObjects.Now.AddMinutes(4)));
        Assert.True(e.Satisfied("k", TestObjects.Now.AddMinutes(6)));
    }

    [Fact]
    public void A_bind_or_a_container_status_is_no_input_but_readiness_labels_and_deletion_are()
    {
        var pending = TestObjects.Pod("a", "rs-uid");
        var bound = TestObjects.Pod("a", "rs-uid", node: "n1");
        bound["status"]!["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = "c", ["ready"] = false });
        Assert.True(ReplicaSetReconciler.SameInputs(pending, bound));
        Assert.False(ReplicaSetReconciler.SameInputs(bound, TestObjects.Pod("a", "rs-uid", node: "n1", ready: true)));
        Assert.False(ReplicaSetReconciler.SameInputs(bound, TestObjects.Pod("a", "rs-uid", node: "n1", app: "other")));
        Assert.False(ReplicaSetReconciler.SameInputs(bound, TestObjects.Pod("a", "rs-uid", node: "n1", deleting: true)));
        Assert.False(ReplicaSetReconciler.SameInputs(bound, TestObjects.Pod("a", null, node: "n1")));
        Assert.False(ReplicaSetReconciler.SameInputs(bound, TestObjects.Pod("a", "rs-uid", node: "n1", phase: "Failed")));
    }

    private static readonly Gen<JsonObject> PodVersionGen =
        from owner in Gen.Elements<string?>("rs-uid", "other-uid", null)
        from app in Gen.Elements("web", "db")
        from ready in Gen.Elements(true, false)
        from node in Gen.Elements<string?>(null, "n1", "n2")
        from phase in Gen.Elements("Pending", "Running", "Succeeded", "Failed")
        from deleting in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from readyAgo in Gen.Elements(1, 30, 600)
        select TestObjects.Pod("p", owner, app, ready, node, phase, deleting, TestObjects.Now.AddSeconds(-readyAgo));

    [Property(MaxTest = 500)]
    public Property Versions_with_the_same_inputs_give_the_same_plan_counts_and_status() =>
        Prop.ForAll(PodVersionGen.ToArbitrary(), PodVersionGen.ToArbitrary(), Gen.Elements(0L, 10L, 60L).ToArbitrary(), (a, b, minReady) =>
        {
            if (!ReplicaSetReconciler.SameInputs(a, b)) return true;
            var rs = TestObjects.ReplicaSet(replicas: 2, minReadySeconds: minReady);
            var planA = ReplicaSetReconciler.Reconcile(rs, [a], TestObjects.Now, 500, true);
            var planB = ReplicaSetReconciler.Reconcile(rs, [b], TestObjects.Now, 500, true);
            return planA.Create == planB.Create && planA.Adopt.SequenceEqual(planB.Adopt) && planA.Release.SequenceEqual(planB.Release)
                && planA.Delete.Count == planB.Delete.Count && JsonNode.DeepEquals(planA.Status, planB.Status) && planA.RecheckAfter == planB.RecheckAfter;
        });
}
