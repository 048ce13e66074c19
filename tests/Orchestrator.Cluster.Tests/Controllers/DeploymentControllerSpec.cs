using System.Text.Json.Nodes;
using Akka.TestKit.Xunit2;
using Orchestrator.Cluster.Controllers;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport.Stores;
using Orchestrator.TestSupport.Builders;

namespace Orchestrator.Cluster.Tests.Controllers;

public sealed class DeploymentControllerSpec : TestKit
{
    private readonly InMemoryStore _store = new();

    /// <summary>Plays the kubelets: every pod not yet ready becomes Running and Ready.</summary>
    private void PodsBecomeReady()
    {
        foreach (var pod in _store.All("Pod").Where(p => !PodHelpers.IsReady(p)))
        {
            pod["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["lastTransitionTime"] = ObjectMeta.FormatTime(DateTimeOffset.UtcNow) }),
            };
            _store.Put(PodKind.Instance, pod);
        }
    }

    [Fact]
    public async Task Rolls_out_a_new_template_without_losing_availability_and_reports_completion()
    {
        Sys.ActorOf(ReplicaSetController.Props(_store, ControllerSettings.Default, TimeProvider.System));
        Sys.ActorOf(DeploymentController.Props(_store, TimeProvider.System));
        _store.Put(DeploymentKind.Instance, TestObjects.Deployment(3, "nginx:1", maxSurge: 1, maxUnavailable: 0));
        AwaitAssert(() =>
        {
            PodsBecomeReady();
            var d = _store.Find("Deployment", "default", "web")!;
            Assert.Equal(3, d["status"]?["availableReplicas"].GetLong());
            Assert.Equal("NewReplicaSetAvailable", PodHelpers.Condition(d, "Progressing").GetString("reason"));
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

        await _store.Patch(DeploymentKind.Instance, "default", "web", PatchType.Merge,
            JsonNode.Parse("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}""")!);
        var minimumReady = int.MaxValue;
        AwaitAssert(() =>
        {
            minimumReady = Math.Min(minimumReady, _store.All("Pod").Count(p => PodHelpers.IsReady(p) && !p.IsDeleting()));
            PodsBecomeReady();
            var d = _store.Find("Deployment", "default", "web")!;
            Assert.True(d["status"]?["observedGeneration"].GetLong() >= d.Generation());
            Assert.Equal(3, d["status"]?["updatedReplicas"].GetLong());
            Assert.Equal(3, d["status"]?["replicas"].GetLong());
            Assert.Equal(3, d["status"]?["availableReplicas"].GetLong());
            Assert.All(_store.All("Pod"), p => Assert.Equal("nginx:2", p["spec"]!["containers"]![0]!["image"]!.GetValue<string>()));
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        Assert.True(minimumReady >= 3, $"availability dropped to {minimumReady}");
        var replicaSets = _store.All("ReplicaSet");
        Assert.Equal(2, replicaSets.Count);
        Assert.Equal(["1", "2"], replicaSets.Select(r => r.Annotations()["deployment.kubernetes.io/revision"]).Order().ToArray());
        Assert.Equal("2", _store.Find("Deployment", "default", "web")!.Annotations()["deployment.kubernetes.io/revision"]);
    }
}
