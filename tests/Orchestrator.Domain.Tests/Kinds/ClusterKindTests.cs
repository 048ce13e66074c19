using System.Text.Json.Nodes;
using Orchestrator.Domain.Events;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

public class NamespaceKindTests
{
    [Fact]
    public void Create_labels_the_namespace_with_its_name_and_makes_it_Active()
    {
        var ns = Created(NamespaceKind.Instance, Json("""{"metadata":{"name":"team","labels":{"a":"b"}}}""")).Current!;
        Assert.Equal("team", ns.Labels()["kubernetes.io/metadata.name"]);
        Assert.Equal("b", ns.Labels()["a"]);
        Assert.Equal("Active", ns["status"]!.AsObject().GetString("phase"));
    }

    [Fact]
    public void The_name_label_survives_a_replace_and_cannot_be_changed()
    {
        var state = Created(NamespaceKind.Instance, Json("""{"metadata":{"name":"team"}}"""));
        var decision = state.Replace(Json("""{"metadata":{"labels":{"kubernetes.io/metadata.name":"other","x":"y"}}}"""), Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Equal("team", decision.Result!.Labels()["kubernetes.io/metadata.name"]);
        Assert.Equal("y", decision.Result!.Labels()["x"]);
        Assert.Equal("Active", decision.Result!["status"]!.AsObject().GetString("phase"));
    }

    [Fact]
    public void The_name_is_a_DNS_label()
    {
        Assert.Empty(NamespaceKind.Instance.Validate(Json("""{"metadata":{"name":"team-a"}}""")));
        Assert.Equal("metadata.name", Assert.Single(NamespaceKind.Instance.Validate(Json("""{"metadata":{"name":"team.a"}}"""))).Field);
    }

    [Fact]
    public void Row_shows_Terminating_while_deleting()
    {
        Assert.Equal(["a", "Active", "<unknown>"], NamespaceKind.Instance.Row(Json("""{"metadata":{"name":"a"},"status":{"phase":"Active"}}"""), Now));
        Assert.Equal("Terminating", NamespaceKind.Instance.Row(Json("""{"metadata":{"name":"a","deletionTimestamp":"2026-01-01T00:00:00Z"}}"""), Now)[1]);
    }
}

public class NodeKindTests
{
    [Fact]
    public void A_node_keeps_the_status_it_registers_with()
    {
        var node = Created(NodeKind.Instance, Json("""{"metadata":{"name":"n1"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}""")).Current!;
        Assert.Equal("Ready", node["status"]!["conditions"]![0]!.AsObject().GetString("type"));
        Assert.Equal("", node.Namespace());
    }

    [Theory]
    [InlineData("""[{"key":"k","effect":"NoSchedule"}]""", new string[0])]
    [InlineData("""[{"key":"k","value":"v","effect":"NoExecute"},{"key":"j","effect":"PreferNoSchedule"}]""", new string[0])]
    [InlineData("""[{"effect":"NoSchedule"}]""", new[] { "spec.taints[0].key" })]
    [InlineData("""[{"key":"k"}]""", new[] { "spec.taints[0].effect" })]
    [InlineData("""[{"key":"k","effect":"Sometimes"}]""", new[] { "spec.taints[0].effect" })]
    public void Taints(string taints, string[] fields)
    {
        var node = Json($$"""{"metadata":{"name":"n1"},"spec":{"taints":{{taints}} } }""");
        Assert.Equal(fields, NodeKind.Instance.Validate(node).Select(e => e.Field));
    }

    [Fact]
    public void Row_shows_readiness_cordon_roles_version_ip_and_runtime()
    {
        var node = Json("""
            {"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/worker":""}},
             "spec":{"unschedulable":true},
             "status":{"conditions":[{"type":"Ready","status":"True"}],"addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"10.0.0.2"}],
                       "nodeInfo":{"kubeletVersion":"v1.31.0","containerRuntimeVersion":"docker://27.0"}}}
            """);
        var row = NodeKind.Instance.Row(node, Now);
        Assert.Equal(NodeKind.Instance.Columns.Count, row.Count);
        Assert.Equal(["n1", "Ready,SchedulingDisabled", "control-plane,worker", "<unknown>", "v1.31.0", "10.0.0.2", "docker://27.0"], row);
    }

    [Theory]
    [InlineData("""{"conditions":[{"type":"Ready","status":"False"}]}""", "NotReady")]
    [InlineData("""{"conditions":[{"type":"Ready","status":"Unknown"}]}""", "Unknown")]
    [InlineData("""{}""", "Unknown")]
    public void Status_column(string status, string expected)
    {
        Assert.Equal(expected, NodeKind.Instance.Row(Json($$"""{"metadata":{"name":"n1"},"status":{{status}} }"""), Now)[1]);
    }
}

public class EventKindTests
{
    private static JsonObject Event(string body = "") => Json($$"""
        {"metadata":{"name":"e1","namespace":"default"},"involvedObject":{"kind":"Pod","name":"web","namespace":"default"},
         "reason":"Scheduled","message":"assigned"{{body}} }
        """);

    [Fact]
    public void An_event_needs_an_involved_object()
    {
        Assert.Equal("involvedObject", Assert.Single(EventKind.Instance.Validate(Json("""{"metadata":{"name":"e"}}"""))).Field);
        Assert.Empty(EventKind.Instance.Validate(Event()));
        Assert.Null(CreateError(EventKind.Instance, Event()));
    }

    [Fact]
    public void The_involved_object_is_in_the_events_namespace()
    {
        var ev = Event();
        ev["involvedObject"]!["namespace"] = "other";
        var error = Assert.Single(EventKind.Instance.Validate(ev));
        Assert.Equal("involvedObject.namespace", error.Field);
        Assert.Contains("does not match event.namespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_type_is_Normal_or_Warning()
    {
        Assert.Empty(EventKind.Instance.Validate(Event(""","type":"Warning" """)));
        Assert.Equal(FieldErrorType.NotSupported, Assert.Single(EventKind.Instance.Validate(Event(""","type":"Info" """))).Type);
    }

    [Fact]
    public void Events_have_no_generation()
    {
        Assert.Equal(0, Created(EventKind.Instance, Event()).Current!.Generation());
    }

    [Fact]
    public void Row_uses_the_last_timestamp()
    {
        var row = EventKind.Instance.Row(Event(""","type":"Normal","lastTimestamp":"2026-01-02T03:00:05Z" """), Now);
        Assert.Equal(["4m", "Normal", "Scheduled", "pod/web", "assigned"], row);
        Assert.Equal("<unknown>", EventKind.Instance.Row(Event(), Now)[0]);
    }
}
