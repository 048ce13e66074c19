using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.StatefulSets;

namespace Orchestrator.Domain.Tests.StatefulSets;

public sealed class StatefulSetReconcilerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static JsonObject Set(int replicas, string policy = "OrderedReady", string image = "busybox:1", int partition = 0, string type = "RollingUpdate") => JsonNode.Parse("""
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db","namespace":"default","uid":"sts-uid","generation":2},
         "spec":{"replicas":REPLICAS,"serviceName":"db-headless","podManagementPolicy":"POLICY","updateStrategy":STRATEGY,
          "selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"c","image":"IMAGE"}]}}}}
        """.Replace("REPLICAS", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("POLICY", policy, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal)
        .Replace("STRATEGY", type == "OnDelete" ? """{"type":"OnDelete"}""" : "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":" + partition.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}", StringComparison.Ordinal))!.AsObject();

    private static JsonObject Pod(JsonObject sts, int ordinal, bool ready = true, string phase = "Running")
    {
        var pod = StatefulSetReconciler.NewPod(sts, ordinal);
        pod["status"] = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False", ["lastTransitionTime"] = Now.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ") }),
        };
        return pod;
    }

    [Fact]
    public void Ordered_ready_creates_one_ordinal_at_a_time_after_the_lower_ones_are_ready()
    {
        var sts = Set(3);
        Assert.Equal([0], StatefulSetReconciler.Reconcile(sts, [], Now, true).Create);
        Assert.Empty(StatefulSetReconciler.Reconcile(sts, [Pod(sts, 0, ready: false)], Now, true).Create);
        Assert.Equal([1], StatefulSetReconciler.Reconcile(sts, [Pod(sts, 0)], Now, true).Create);
        Assert.Equal([2], StatefulSetReconciler.Reconcile(sts, [Pod(sts, 0), Pod(sts, 1)], Now, true).Create);
    }

    [Fact]
    public void Parallel_creates_every_missing_ordinal_at_once()
    {
        var sts = Set(3, policy: "Parallel");
        Assert.Equal([0, 1, 2], StatefulSetReconciler.Reconcile(sts, [], Now, true).Create);
    }

    [Fact]
    public void Scales_down_from_the_highest_ordinal_one_at_a_time()
    {
        var big = Set(3);
        var sts = Set(1);
        var plan = StatefulSetReconciler.Reconcile(sts, [Pod(big, 0), Pod(big, 1), Pod(big, 2)], Now, true);
        Assert.Equal(["db-2"], plan.Delete);
        var leaving = Pod(big, 2);
        leaving.Metadata()["deletionTimestamp"] = Now.ToString("yyyy-MM-ddTHH:mm:ssZ");
        Assert.Empty(StatefulSetReconciler.Reconcile(sts, [Pod(big, 0), Pod(big, 1), leaving], Now, true).Delete);
    }

    [Fact]
    public void A_failed_pod_is_deleted_to_be_recreated_under_its_name()
    {
        var sts = Set(2);
        var plan = StatefulSetReconciler.Reconcile(sts, [Pod(sts, 0, phase: "Failed"), Pod(sts, 1)], Now, true);
        Assert.Equal(["db-0"], plan.Delete);
    }

    [Fact]
    public void Rolling_update_replaces_the_highest_outdated_ordinal_at_or_above_the_partition_only_when_all_are_ready()
    {
        var old = Set(3, image: "busybox:1");
        var sts = Set(3, image: "busybox:2", partition: 1);
        var plan = StatefulSetReconciler.Reconcile(sts, [Pod(old, 0), Pod(old, 1), Pod(old, 2)], Now, true);
        Assert.Equal(["db-2"], plan.Delete);
        Assert.Equal(["db-1"], StatefulSetReconciler.Reconcile(sts, [Pod(old, 0), Pod(old, 1), Pod(sts, 2)], Now, true).Delete);
        // Below the partition nothing changes.
        var done = StatefulSetReconciler.Reconcile(sts, [Pod(old, 0), Pod(sts, 1), Pod(sts, 2)], Now, true);
        Assert.Empty(done.Delete);
        Assert.Equal(2, done.Status["updatedReplicas"].GetLong());
        // A pod that is not ready holds the update.
        Assert.Empty(StatefulSetReconciler.Reconcile(sts, [Pod(old, 0), Pod(old, 1), Pod(sts, 2, ready: false)], Now, true).Delete);
        // OnDelete replaces nothing.
        Assert.Empty(StatefulSetReconciler.Reconcile(Set(3, image: "busybox:2", type: "OnDelete"), [Pod(old, 0), Pod(old, 1), Pod(old, 2)], Now, true).Delete);
    }

    [Fact]
    public void Status_counts_and_the_current_revision_becomes_the_update_revision_once_all_run_it()
    {
        var old = Set(2, image: "busybox:1");
        var sts = Set(2, image: "busybox:2");
        sts["status"] = new JsonObject { ["currentRevision"] = StatefulSetReconciler.UpdateRevision(old) };
        var midway = StatefulSetReconciler.Reconcile(sts, [Pod(old, 0), Pod(sts, 1)], Now, true).Status;
        Assert.Equal(StatefulSetReconciler.UpdateRevision(old), midway.GetString("currentRevision"));
        Assert.Equal(1, midway["currentReplicas"].GetLong());
        Assert.Equal(1, midway["updatedReplicas"].GetLong());
        var done = StatefulSetReconciler.Reconcile(sts, [Pod(sts, 0), Pod(sts, 1)], Now, true).Status;
        Assert.Equal(StatefulSetReconciler.UpdateRevision(sts), done.GetString("currentRevision"));
        Assert.Equal(2, done["readyReplicas"].GetLong());
        Assert.Equal(2, done["observedGeneration"].GetLong());
    }

    [Fact]
    public void Pods_have_stable_names_hostnames_and_the_service_as_subdomain()
    {
        var pod = StatefulSetReconciler.NewPod(Set(3), 2);
        Assert.Equal("db-2", pod.Name());
        Assert.Equal("db-2", pod["spec"]!.AsObject().GetString("hostname"));
        Assert.Equal("db-headless", pod["spec"]!.AsObject().GetString("subdomain"));
        Assert.Equal("db-2", pod.Labels()[StatefulSetReconciler.PodNameLabel]);
        Assert.Equal("2", pod.Labels()[StatefulSetReconciler.PodIndexLabel]);
        Assert.Equal("sts-uid", PodHelpers.ControllerRef(pod).GetString("uid"));
        Assert.Equal(2, StatefulSetReconciler.Ordinal("db", "db-2"));
        Assert.Null(StatefulSetReconciler.Ordinal("db", "db-02"));
        Assert.Null(StatefulSetReconciler.Ordinal("db", "dbx-2"));
    }

    [Fact]
    public void Acts_on_no_pod_while_its_own_writes_are_not_observed()
    {
        var plan = StatefulSetReconciler.Reconcile(Set(3), [], Now, expectationsSatisfied: false);
        Assert.False(plan.ChangesPods);
    }
}
