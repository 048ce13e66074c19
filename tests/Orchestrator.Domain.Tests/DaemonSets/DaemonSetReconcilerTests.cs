using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.DaemonSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Scheduling;

namespace Orchestrator.Domain.Tests.DaemonSets;

public sealed class DaemonSetReconcilerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static JsonObject DaemonSet(string? strategy = null, string nodeSelector = "{}", string image = "busybox:1") => JsonNode.Parse("""
        {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent","namespace":"default","uid":"ds-uid","generation":3},
         "spec":{"selector":{"matchLabels":{"app":"agent"}},STRATEGY
          "template":{"metadata":{"labels":{"app":"agent"}},"spec":{"nodeSelector":SELECTOR,"containers":[{"name":"c","image":"IMAGE"}]}}}}
        """.Replace("STRATEGY", strategy is null ? "" : $"\"updateStrategy\":{strategy},", StringComparison.Ordinal)
        .Replace("SELECTOR", nodeSelector, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal))!.AsObject();

    private static JsonObject Node(string name, string labels = "{}", string taints = "[]", bool unschedulable = false) => JsonNode.Parse("""
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"NAME","labels":LABELS},"spec":{"taints":TAINTS,"unschedulable":CORDON},
         "status":{"conditions":[{"type":"Ready","status":"True"}]}}
        """.Replace("NAME", name, StringComparison.Ordinal).Replace("LABELS", labels, StringComparison.Ordinal)
        .Replace("TAINTS", taints, StringComparison.Ordinal).Replace("CORDON", unschedulable ? "true" : "false", StringComparison.Ordinal))!.AsObject();

    /// <summary>A daemon pod of <paramref name="ds"/> on <paramref name="node"/>, made as the controller makes them.</summary>
    private static JsonObject Pod(JsonObject ds, string name, string node, bool ready = true, string phase = "Running")
    {
        var pod = DaemonSetReconciler.NewPod(ds, node);
        pod.Metadata()["name"] = name;
        pod.Metadata()["creationTimestamp"] = Now.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ");
        pod["spec"]!["nodeName"] = node;
        pod["status"] = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False", ["lastTransitionTime"] = Now.AddMinutes(-4).ToString("yyyy-MM-ddTHH:mm:ssZ") }),
        };
        return pod;
    }

    [Fact]
    public void Creates_one_pod_on_every_node_that_matches_the_node_selector()
    {
        var ds = DaemonSet(nodeSelector: """{"role":"edge"}""");
        var nodes = new[] { Node("a", """{"role":"edge"}"""), Node("b", """{"role":"edge"}"""), Node("c", """{"role":"core"}""") };
        var plan = DaemonSetReconciler.Reconcile(ds, nodes, [], Now, expectationsSatisfied: true);
        Assert.Equal(["a", "b"], plan.CreateOn);
        Assert.Empty(plan.Delete);
        Assert.Equal(2, plan.Status["desiredNumberScheduled"].GetLong());
        Assert.Equal(0, plan.Status["currentNumberScheduled"].GetLong());
        Assert.Equal(3, plan.Status["observedGeneration"].GetLong());
    }

    [Fact]
    public void Keeps_off_untolerated_taints_but_runs_on_cordoned_nodes_through_the_default_tolerations()
    {
        var nodes = new[] { Node("tainted", taints: """[{"key":"dedicated","value":"db","effect":"NoSchedule"}]"""), Node("cordoned", unschedulable: true) };
        var plan = DaemonSetReconciler.Reconcile(DaemonSet(), nodes, [], Now, true);
        Assert.Equal(["cordoned"], plan.CreateOn);
        var demand = PodDemand.FromPod(DaemonSetReconciler.NewPod(DaemonSet(), "cordoned"));
        Assert.True(new NodeUnschedulableFilter().Feasible(demand, NodeState.FromNode(nodes[1]), new List<string>()));
        Assert.False(new NodeUnschedulableFilter().Feasible(PodDemand.Simple("default", "plain"), NodeState.FromNode(nodes[1]), new List<string>()));
    }

    [Fact]
    public void A_pod_on_a_node_that_stopped_matching_goes_and_counts_as_misscheduled()
    {
        var ds = DaemonSet(nodeSelector: """{"role":"edge"}""");
        var pods = new[] { Pod(ds, "agent-a", "a"), Pod(ds, "agent-b", "b") };
        var nodes = new[] { Node("a", """{"role":"edge"}"""), Node("b", """{"role":"core"}""") };
        var plan = DaemonSetReconciler.Reconcile(ds, nodes, pods, Now, true);
        Assert.Equal(["agent-b"], plan.Delete);
        Assert.Empty(plan.CreateOn);
        Assert.Equal(1, plan.Status["numberMisscheduled"].GetLong());
        Assert.Equal(1, plan.Status["numberAvailable"].GetLong());
        Assert.Equal(1, plan.Status["updatedNumberScheduled"].GetLong());
    }

    [Fact]
    public void Pods_of_a_gone_node_and_extra_pods_on_one_node_go_and_a_failed_pod_is_replaced()
    {
        var ds = DaemonSet();
        var pods = new[] { Pod(ds, "agent-a1", "a"), Pod(ds, "agent-a2", "a"), Pod(ds, "agent-gone", "gone"), Pod(ds, "agent-b", "b", phase: "Failed") };
        var plan = DaemonSetReconciler.Reconcile(ds, [Node("a"), Node("b")], pods, Now, true);
        Assert.Equal(["agent-a2", "agent-b", "agent-gone"], plan.Delete.Order(StringComparer.Ordinal));
        Assert.Equal(["b"], plan.CreateOn);
    }

    [Fact]
    public void No_new_pod_on_a_node_while_its_old_one_is_still_terminating()
    {
        var ds = DaemonSet();
        var leaving = Pod(ds, "agent-a", "a");
        leaving.Metadata()["deletionTimestamp"] = Now.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var plan = DaemonSetReconciler.Reconcile(ds, [Node("a")], [leaving], Now, true);
        Assert.Empty(plan.CreateOn);
    }

    [Fact]
    public void Rolling_update_replaces_at_most_max_unavailable_available_pods_at_a_time()
    {
        var old = DaemonSet(image: "busybox:1");
        var ds = DaemonSet(strategy: """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}}""", image: "busybox:2");
        var pods = new[] { Pod(old, "agent-a", "a"), Pod(old, "agent-b", "b"), Pod(old, "agent-c", "c") };
        var plan = DaemonSetReconciler.Reconcile(ds, [Node("a"), Node("b"), Node("c")], pods, Now, true);
        Assert.Single(plan.Delete);
        Assert.Empty(plan.CreateOn);
        Assert.Equal(0, plan.Status["updatedNumberScheduled"].GetLong());

        // One node is being replaced (its new pod not ready yet): no other old pod goes meanwhile.
        var during = new[] { Pod(ds, "agent-a2", "a", ready: false), Pod(old, "agent-b", "b"), Pod(old, "agent-c", "c") };
        var waiting = DaemonSetReconciler.Reconcile(ds, [Node("a"), Node("b"), Node("c")], during, Now, true);
        Assert.Empty(waiting.Delete);
        Assert.Equal(1, waiting.Status["updatedNumberScheduled"].GetLong());
        Assert.Equal(1, waiting.Status["numberUnavailable"].GetLong());
    }

    [Fact]
    public void Rolling_update_with_max_surge_starts_the_new_pod_beside_the_old_one_and_removes_the_old_one_once_available()
    {
        var old = DaemonSet(image: "busybox:1");
        var ds = DaemonSet(strategy: """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}""", image: "busybox:2");
        var plan = DaemonSetReconciler.Reconcile(ds, [Node("a"), Node("b")], [Pod(old, "agent-a", "a"), Pod(old, "agent-b", "b")], Now, true);
        Assert.Single(plan.CreateOn);
        Assert.Empty(plan.Delete);

        var starting = DaemonSetReconciler.Reconcile(ds, [Node("a"), Node("b")], [Pod(old, "agent-a", "a"), Pod(ds, "agent-a2", "a", ready: false), Pod(old, "agent-b", "b")], Now, true);
        Assert.Empty(starting.CreateOn);
        Assert.Empty(starting.Delete);
        Assert.Equal(2, starting.Status["numberAvailable"].GetLong());

        var up = DaemonSetReconciler.Reconcile(ds, [Node("a"), Node("b")], [Pod(old, "agent-a", "a"), Pod(ds, "agent-a2", "a"), Pod(old, "agent-b", "b")], Now, true);
        Assert.Equal(["agent-a"], up.Delete);
        Assert.Equal(["b"], up.CreateOn);
    }

    [Fact]
    public void On_delete_leaves_old_pods_until_someone_deletes_them()
    {
        var old = DaemonSet(image: "busybox:1");
        var ds = DaemonSet(strategy: """{"type":"OnDelete"}""", image: "busybox:2");
        var plan = DaemonSetReconciler.Reconcile(ds, [Node("a"), Node("b")], [Pod(old, "agent-a", "a")], Now, true);
        Assert.Empty(plan.Delete);
        Assert.Equal(["b"], plan.CreateOn);
        Assert.Equal(0, plan.Status["updatedNumberScheduled"].GetLong());
    }

    [Fact]
    public void Acts_on_no_pod_while_its_own_writes_are_not_observed_but_reports_status()
    {
        var plan = DaemonSetReconciler.Reconcile(DaemonSet(), [Node("a")], [], Now, expectationsSatisfied: false);
        Assert.False(plan.ChangesPods);
        Assert.Equal(1, plan.Status["numberUnavailable"].GetLong());
    }

    [Fact]
    public void A_new_pod_is_pinned_to_its_node_labelled_with_the_template_hash_and_tolerates_what_daemons_tolerate()
    {
        var ds = DaemonSet();
        var pod = DaemonSetReconciler.NewPod(ds, "node-7");
        Assert.Equal("node-7", DaemonSetReconciler.TargetNode(pod));
        Assert.Equal("agent-", pod.Metadata().GetString("generateName"));
        Assert.Equal(DaemonSetReconciler.CurrentHash(ds), pod.Labels()[DaemonSetReconciler.HashLabel]);
        Assert.Equal("ds-uid", PodHelpers.ControllerRef(pod).GetString("uid"));
        var keys = pod["spec"]!["tolerations"]!.AsArray().Select(t => t!["key"]!.GetValue<string>()).ToList();
        Assert.Contains("node.kubernetes.io/not-ready", keys);
        Assert.Contains("node.kubernetes.io/unschedulable", keys);
        Assert.NotEqual(DaemonSetReconciler.CurrentHash(ds), DaemonSetReconciler.CurrentHash(DaemonSet(image: "other:1")));
    }
}
