using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class DeploymentReconcilerTests
{
    /// <summary>
    /// Plays controller and cluster: applies each plan to a set of ReplicaSets whose pods become
    /// available <paramref name="lag"/> steps after they are asked for.
    /// </summary>
    private sealed class World
    {
        public Dictionary<string, JsonObject> ReplicaSets { get; } = new();
        public List<int> AvailableAtEachStep { get; } = new();
        public List<int> TotalAtEachStep { get; } = new();

        public DeploymentPlan Step(JsonObject deployment)
        {
            var plan = DeploymentReconciler.Reconcile(deployment, ReplicaSets.Values.ToList(), TestObjects.Now);
            foreach (var action in plan.Actions)
            {
                switch (action)
                {
                    case CreateReplicaSet c:
                        var rs = (JsonObject)c.ReplicaSet.DeepClone();
                        rs.Metadata()["uid"] = "uid-" + rs.Name();
                        ReplicaSets[rs.Name()] = rs;
                        break;
                    case ScaleReplicaSet s:
                        ReplicaSets[s.Name]["spec"]!["replicas"] = s.Replicas;
                        foreach (var (k, v) in s.Annotations)
                        {
                            var meta = ReplicaSets[s.Name].Metadata();
                            meta["annotations"] ??= new JsonObject();
                            meta["annotations"]![k] = v;
                        }
                        break;
                    case DeleteReplicaSet d:
                        ReplicaSets.Remove(d.Name);
                        break;
                    case AnnotateDeployment a:
                        deployment.Metadata()["annotations"] = new JsonObject { ["deployment.kubernetes.io/revision"] = a.Revision };
                        break;
                }
            }
            deployment["status"] = plan.Status.DeepClone();
            // The ReplicaSet controller and the kubelets: pods appear and become available at once; scale-downs end at once.
            foreach (var rs in ReplicaSets.Values)
            {
                var n = rs["spec"]!["replicas"].GetLong();
                rs["status"] = new JsonObject { ["replicas"] = n, ["readyReplicas"] = n, ["availableReplicas"] = n };
            }
            AvailableAtEachStep.Add(ReplicaSets.Values.Sum(r => (int)r["status"]!["availableReplicas"].GetLong()!));
            TotalAtEachStep.Add(ReplicaSets.Values.Sum(r => (int)r["spec"]!["replicas"].GetLong()!));
            return plan;
        }

        public void Settle(JsonObject deployment, int maxSteps = 100)
        {
            for (var i = 0; i < maxSteps; i++)
                if (Step(deployment).Actions.Count == 0) return;
            throw new InvalidOperationException("no fixed point");
        }
    }

    private static string Image(JsonObject rs) => rs["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>();

    [Fact]
    public void First_rollout_creates_a_hashed_ReplicaSet_with_revision_1_and_completes()
    {
        var deployment = TestObjects.Deployment(3);
        var world = new World();
        world.Settle(deployment);
        var rs = Assert.Single(world.ReplicaSets.Values);
        var hash = DeploymentReconciler.TemplateHash((JsonObject)deployment["spec"]!["template"]!);
        Assert.Equal($"web-{hash}", rs.Name());
        Assert.Equal(hash, rs.Labels()["pod-template-hash"]);
        Assert.Equal(hash, rs["spec"]!["selector"]!["matchLabels"]!["pod-template-hash"]!.GetValue<string>());
        Assert.Equal("1", rs.Annotations()["deployment.kubernetes.io/revision"]);
        Assert.Equal("web", PodHelpers.ControllerRef(rs).GetString("name"));
        var status = (JsonObject)deployment["status"]!;
        Assert.Equal((3L, 3L, 3L), (status["replicas"].GetLong()!.Value, status["updatedReplicas"].GetLong()!.Value, status["availableReplicas"].GetLong()!.Value));
        Assert.Equal("NewReplicaSetAvailable", PodHelpers.Condition(deployment, "Progressing").GetString("reason"));
        Assert.Equal("True", PodHelpers.Condition(deployment, "Available").GetString("status"));
    }

    [Property(MaxTest = 100)]
    public Property Rolling_update_respects_surge_and_unavailability_and_ends_on_the_new_template() =>
        Prop.ForAll(Gen.Choose(1, 12).ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (replicas, surge, unavailable) =>
        {
            if (surge == 0 && unavailable == 0) surge = 1;
            var deployment = TestObjects.Deployment(replicas, "nginx:1", surge, unavailable);
            var world = new World();
            world.Settle(deployment);
            world.AvailableAtEachStep.Clear();
            world.TotalAtEachStep.Clear();
            deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:2";
            world.Settle(deployment);
            var effectiveUnavailable = Math.Min(unavailable, replicas);
            var live = world.ReplicaSets.Values.Where(r => r["spec"]!["replicas"].GetLong() > 0).ToList();
            return world.TotalAtEachStep.All(t => t <= replicas + surge)
                && world.AvailableAtEachStep.All(a => a >= replicas - effectiveUnavailable)
                && live.Count == 1 && Image(live[0]) == "nginx:2" && live[0]["spec"]!["replicas"].GetLong() == replicas
                && live[0].Annotations()["deployment.kubernetes.io/revision"] == "2"
                && PodHelpers.Condition(deployment, "Progressing").GetString("reason") == "NewReplicaSetAvailable";
        });

    /// <summary>
    /// A Deployment settled at revision 1 (nginx:1) and revision 2 (nginx:2), the first revision's
    /// ReplicaSet, and the template kubectl rollout undo sends back: revision 1's, without its
    /// pod-template-hash label.
    /// </summary>
    private static (JsonObject Deployment, World World, string First, JsonObject UndoTemplate) TwoRevisions()
    {
        var deployment = TestObjects.Deployment(2);
        var world = new World();
        world.Settle(deployment);
        var first = world.ReplicaSets.Keys.Single();
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:2";
        world.Settle(deployment);
        var template = (JsonObject)world.ReplicaSets[first]["spec"]!["template"]!.DeepClone();
        ((JsonObject)template["metadata"]!["labels"]!).Remove("pod-template-hash");
        return (deployment, world, first, template);
    }

    [Fact]
    public void Rollback_reuses_the_old_ReplicaSet_and_gives_it_the_next_revision()
    {
        var (deployment, world, first, template) = TwoRevisions();
        deployment["spec"]!["template"] = template;
        world.Settle(deployment);
        Assert.Equal(2, world.ReplicaSets.Count);
        Assert.Equal(2, world.ReplicaSets[first]["spec"]!["replicas"].GetLong());
        Assert.Equal("3", world.ReplicaSets[first].Annotations()["deployment.kubernetes.io/revision"]);
        Assert.Equal("3", deployment.Annotations()["deployment.kubernetes.io/revision"]);
    }

    [Fact]
    public void Rollback_as_kubectl_serializes_the_template_reuses_the_old_ReplicaSet()
    {
        var (deployment, world, first, template) = TwoRevisions();
        // What kubectl rollout undo sends: Go's zero values written out.
        template["metadata"]!["creationTimestamp"] = null;
        template["spec"]!["containers"]![0]!["resources"] = new JsonObject();
        template["spec"]!["containers"]![0]!["env"] = new JsonArray();
        deployment["spec"]!["template"] = template;
        world.Settle(deployment);
        Assert.Equal(2, world.ReplicaSets.Count);
        Assert.Equal(2, world.ReplicaSets[first]["spec"]!["replicas"].GetLong());
        Assert.Equal("3", world.ReplicaSets[first].Annotations()["deployment.kubernetes.io/revision"]);
    }

    [Fact]
    public void Templates_that_differ_in_a_value_are_not_equal_even_when_empty_fields_are_ignored()
    {
        var a = JsonNode.Parse("""{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1","resources":{}}]}}""")!.AsObject();
        var b = JsonNode.Parse("""{"metadata":{"labels":{"app":"web","pod-template-hash":"x"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}""")!.AsObject();
        var c = JsonNode.Parse("""{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1","resources":{"limits":{"cpu":"1"}}}]}}""")!.AsObject();
        Assert.True(DeploymentReconciler.TemplatesEqual(a, b));
        Assert.Equal(DeploymentReconciler.TemplateHash(a), DeploymentReconciler.TemplateHash(b));
        Assert.False(DeploymentReconciler.TemplatesEqual(a, c));
    }

    [Fact]
    public void Recreate_scales_old_to_zero_before_the_new_gets_pods()
    {
        var deployment = TestObjects.Deployment(3, strategy: "Recreate");
        var world = new World();
        world.Settle(deployment);
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:2";
        var plan = world.Step(deployment);
        var create = Assert.Single(plan.Actions.OfType<CreateReplicaSet>());
        Assert.Equal(0, create.ReplicaSet["spec"]!["replicas"].GetLong());
        Assert.Contains(plan.Actions.OfType<ScaleReplicaSet>(), s => s.Replicas == 0);
        world.Settle(deployment);
        Assert.Equal(3, world.ReplicaSets.Values.Single(r => Image(r) == "nginx:2")["spec"]!["replicas"].GetLong());
        Assert.Equal(0, world.ReplicaSets.Values.Single(r => Image(r) == "nginx:1")["spec"]!["replicas"].GetLong());
    }

    [Fact]
    public void Revision_history_beyond_the_limit_is_deleted_oldest_first()
    {
        var deployment = TestObjects.Deployment(1, history: 2);
        var world = new World();
        for (var i = 1; i <= 5; i++)
        {
            deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = $"nginx:{i}";
            world.Settle(deployment);
        }
        Assert.Equal(["nginx:3", "nginx:4", "nginx:5"], world.ReplicaSets.Values.Select(Image).Order().ToArray());
    }

    [Fact]
    public void Scaling_and_pausing()
    {
        var deployment = TestObjects.Deployment(2);
        var world = new World();
        world.Settle(deployment);
        deployment["spec"]!["replicas"] = 5;
        world.Settle(deployment);
        Assert.Equal(5, world.ReplicaSets.Values.Single()["spec"]!["replicas"].GetLong());
        deployment["spec"]!["paused"] = true;
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:2";
        deployment["spec"]!["replicas"] = 1;
        world.Settle(deployment);
        Assert.Equal(1, world.ReplicaSets.Values.Single()["spec"]!["replicas"].GetLong());
        Assert.Equal("DeploymentPaused", PodHelpers.Condition(deployment, "Progressing").GetString("reason"));
        deployment["spec"]!["paused"] = false;
        world.Settle(deployment);
        Assert.Equal("nginx:2", Image(world.ReplicaSets.Values.Single(r => r["spec"]!["replicas"].GetLong() > 0)));
    }

    [Fact]
    public void No_progress_within_the_deadline_is_reported()
    {
        var deployment = TestObjects.Deployment(1);
        var rs = new World();
        rs.Step(deployment); // creates the ReplicaSet; its pods never become available below
        var owned = rs.ReplicaSets.Values.Select(r => { r["status"] = new JsonObject { ["replicas"] = 1 }; return r; }).ToList();
        var plan = DeploymentReconciler.Reconcile(deployment, owned, TestObjects.Now);
        deployment["status"] = plan.Status;
        var later = DeploymentReconciler.Reconcile(deployment, owned, TestObjects.Now.AddSeconds(601));
        deployment["status"] = later.Status;
        Assert.Equal("ProgressDeadlineExceeded", PodHelpers.Condition(deployment, "Progressing").GetString("reason"));
    }

    [Property]
    public Property Template_hash_ignores_its_own_label_and_key_order() =>
        Prop.ForAll(Gen.Elements("a", "b", "c").ToArbitrary(), image =>
        {
            var t1 = JsonNode.Parse("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"" + image + "\"}]}}")!.AsObject();
            var t2 = JsonNode.Parse("{\"spec\":{\"containers\":[{\"image\":\"" + image + "\",\"name\":\"c\"}]},\"metadata\":{\"labels\":{\"tier\":\"x\",\"app\":\"web\",\"pod-template-hash\":\"zzz\"}}}")!.AsObject();
            return DeploymentReconciler.TemplateHash(t1) == DeploymentReconciler.TemplateHash(t2) && DeploymentReconciler.TemplatesEqual(t1, t2)
                && DeploymentReconciler.TemplateHash(t1) != DeploymentReconciler.TemplateHash(t1, 1);
        });
}
