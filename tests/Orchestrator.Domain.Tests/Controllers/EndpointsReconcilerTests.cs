using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Endpoints;
using Orchestrator.Domain.EndpointSlices;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Domain.Tests.Controllers;

public sealed class EndpointsReconcilerTests
{
    private static JsonObject Service(string name = "web", JsonNode? targetPort = null, bool selector = true, string? portName = null)
    {
        var port = new JsonObject { ["port"] = 80, ["protocol"] = "TCP", ["targetPort"] = targetPort ?? 8080 };
        if (portName is not null) port["name"] = portName;
        var spec = new JsonObject { ["type"] = "ClusterIP", ["ports"] = new JsonArray(port) };
        if (selector) spec["selector"] = new JsonObject { ["app"] = "web" };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns", ["uid"] = "svc-uid", ["labels"] = new JsonObject { ["tier"] = "front" } },
            ["spec"] = spec,
        };
    }

    private static JsonObject Pod(string name, string? ip, bool ready = true, bool deleting = false, string app = "web", string phase = "Running")
    {
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
        };
        if (ip is not null) status["podIP"] = ip;
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns", ["uid"] = name + "-uid", ["labels"] = new JsonObject { ["app"] = app } },
            ["spec"] = JsonNode.Parse("""{"nodeName":"node-1","containers":[{"name":"c","image":"i","ports":[{"name":"http","containerPort":9090}]}]}"""),
            ["status"] = status,
        };
        if (deleting) pod.Metadata()["deletionTimestamp"] = "2026-01-01T00:00:00Z";
        return pod;
    }

    [Fact]
    public void Ready_and_not_ready_pods_become_addresses_and_not_ready_addresses()
    {
        var plan = EndpointsReconciler.Reconcile(Service(), [Pod("a", "10.0.0.1"), Pod("b", "10.0.0.2", ready: false), Pod("other", "10.0.0.3", app: "db"), Pod("noip", null)], null, []);
        var subset = plan.Endpoints!["subsets"]![0]!;
        Assert.Equal("10.0.0.1", subset["addresses"]![0]!["ip"]!.GetValue<string>());
        Assert.Equal("a", subset["addresses"]![0]!["targetRef"]!["name"]!.GetValue<string>());
        Assert.Equal("10.0.0.2", subset["notReadyAddresses"]![0]!["ip"]!.GetValue<string>());
        Assert.Single(subset["addresses"]!.AsArray());
        Assert.Equal(8080, subset["ports"]![0]!["port"]!.GetValue<long>());
        Assert.Equal("front", plan.Endpoints.Labels()["tier"]);
        Assert.Equal("10.0.0.1:8080", EndpointsKind.Summary(plan.Endpoints));
    }

    [Fact]
    public void A_named_target_port_is_resolved_against_each_pods_container_ports()
    {
        var plan = EndpointsReconciler.Reconcile(Service(targetPort: "http"), [Pod("a", "10.0.0.1")], null, []);
        Assert.Equal(9090, plan.Endpoints!["subsets"]![0]!["ports"]![0]!["port"]!.GetValue<long>());
        var missing = EndpointsReconciler.Reconcile(Service(targetPort: "metrics"), [Pod("a", "10.0.0.1")], null, []);
        Assert.Empty(missing.Endpoints!["subsets"]!.AsArray());
    }

    [Fact]
    public void Slices_carry_ready_serving_and_terminating_conditions()
    {
        var plan = EndpointsReconciler.Reconcile(Service(portName: "http"), [Pod("a", "10.0.0.1"), Pod("b", "10.0.0.2", deleting: true), Pod("c", "10.0.0.3", ready: false)], null, []);
        var slice = Assert.Single(plan.Slices);
        Assert.Equal("web-0", slice.Name());
        Assert.Equal("web", slice.Labels()[EndpointSliceKind.ServiceNameLabel]);
        Assert.Equal("svc-uid", slice.Metadata()["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        var conditions = slice["endpoints"]!.AsArray().ToDictionary(e => e!["targetRef"]!["name"]!.GetValue<string>(), e => e!["conditions"]!);
        Assert.True(conditions["a"]["ready"]!.GetValue<bool>());
        Assert.False(conditions["b"]["ready"]!.GetValue<bool>());
        Assert.True(conditions["b"]["serving"]!.GetValue<bool>());
        Assert.True(conditions["b"]["terminating"]!.GetValue<bool>());
        Assert.False(conditions["c"]["serving"]!.GetValue<bool>());
        Assert.Equal("http", slice["ports"]![0]!["name"]!.GetValue<string>());
        // The Endpoints leave the terminating pod out.
        Assert.Equal(["10.0.0.1"], plan.Endpoints!["subsets"]![0]!["addresses"]!.AsArray().Select(a => a!["ip"]!.GetValue<string>()));
    }

    [Fact]
    public void A_pod_whose_subdomain_names_the_service_publishes_its_hostname_and_others_do_not()
    {
        var named = Pod("a", "10.0.0.1");
        named["spec"]!["hostname"] = "web-a";
        named["spec"]!["subdomain"] = "web";
        var elsewhere = Pod("b", "10.0.0.2");
        elsewhere["spec"]!["hostname"] = "web-b";
        elsewhere["spec"]!["subdomain"] = "other";

        var plan = EndpointsReconciler.Reconcile(Service(), [named, elsewhere], null, []);

        var hostnames = Assert.Single(plan.Slices)["endpoints"]!.AsArray().ToDictionary(e => e!["targetRef"]!["name"]!.GetValue<string>(), e => e!["hostname"]?.GetValue<string>());
        Assert.Equal("web-a", hostnames["a"]);
        Assert.Null(hostnames["b"]);
        Assert.Equal("web-a", plan.Endpoints!["subsets"]![0]!["addresses"]!.AsArray().Single(a => a!["ip"]!.GetValue<string>() == "10.0.0.1")!["hostname"]!.GetValue<string>());
    }

    [Fact]
    public void Nothing_is_written_when_the_objects_are_already_as_wanted()
    {
        var first = EndpointsReconciler.Reconcile(Service(), [Pod("a", "10.0.0.1")], null, []);
        var again = EndpointsReconciler.Reconcile(Service(), [Pod("a", "10.0.0.1")], first.Endpoints, first.Slices);
        Assert.True(again.IsEmpty);
        var changed = EndpointsReconciler.Reconcile(Service(), [Pod("a", "10.0.0.1", ready: false)], first.Endpoints, first.Slices);
        Assert.NotNull(changed.Endpoints);
        Assert.Single(changed.Slices);
    }

    [Fact]
    public void A_service_without_selector_keeps_its_users_endpoints_and_a_deleted_service_loses_only_ours()
    {
        var user = JsonNode.Parse("""{"metadata":{"name":"web","namespace":"ns"},"subsets":[{"addresses":[{"ip":"192.0.2.1"}]}]}""")!.AsObject();
        Assert.True(EndpointsReconciler.Reconcile(Service(selector: false), [Pod("a", "10.0.0.1")], user, []).IsEmpty);
        Assert.False(EndpointsReconciler.Reconcile(null, [], user, []).DeleteEndpoints);

        var ours = EndpointsReconciler.Reconcile(Service(), [Pod("a", "10.0.0.1")], null, []);
        var gone = EndpointsReconciler.Reconcile(null, [], ours.Endpoints, ours.Slices);
        Assert.True(gone.DeleteEndpoints);
        Assert.Equal(["web-0"], gone.DeleteSlices);
    }

    [Fact]
    public void More_endpoints_than_fit_one_slice_are_split_and_surplus_slices_deleted()
    {
        var pods = Enumerable.Range(1, 150).Select(i => Pod($"p{i:000}", $"10.0.{i / 200}.{i % 200 + 1}")).ToList();
        var plan = EndpointsReconciler.Reconcile(Service(), pods, null, []);
        Assert.Equal(["web-0", "web-1"], plan.Slices.Select(s => s.Name()));
        Assert.Equal(100, plan.Slices[0]["endpoints"]!.AsArray().Count);
        var shrunk = EndpointsReconciler.Reconcile(Service(), pods.Take(10), plan.Endpoints, plan.Slices);
        Assert.Equal(["web-1"], shrunk.DeleteSlices);
    }

    [Fact]
    public void Finished_pods_and_pod_changes_that_alter_nothing_are_ignored()
    {
        var plan = EndpointsReconciler.Reconcile(Service(), [Pod("done", "10.0.0.1", phase: "Succeeded")], null, []);
        Assert.Empty(plan.Endpoints!["subsets"]!.AsArray());
        var before = Pod("a", "10.0.0.1");
        var after = Pod("a", "10.0.0.1");
        after["status"]!["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = "c", ["restartCount"] = 1 });
        Assert.True(EndpointsReconciler.SameInputs(before, after));
        Assert.False(EndpointsReconciler.SameInputs(before, Pod("a", "10.0.0.1", ready: false)));
    }
}
