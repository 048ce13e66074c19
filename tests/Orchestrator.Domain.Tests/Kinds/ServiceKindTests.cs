using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Services;
using Orchestrator.Domain.Validation;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

public class ServiceKindTests
{
    private static JsonObject Service(string spec) => Json($$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc"},"spec":{{spec}} }""");

    private static List<FieldError> Errors(JsonObject svc) => ServiceKind.Instance.Validate(svc).ToList();

    [Fact]
    public void Create_defaults_type_affinity_protocol_and_target_port()
    {
        var svc = Created(ServiceKind.Instance, Service("""{"selector":{"app":"web"},"ports":[{"port":80},{"name":"b","port":81,"targetPort":"http"}]}""".Replace("{\"port\":80}", "{\"name\":\"a\",\"port\":80}", StringComparison.Ordinal))).Current!;
        var spec = svc["spec"]!.AsObject();
        Assert.Equal("ClusterIP", spec.GetString("type"));
        Assert.Equal("None", spec.GetString("sessionAffinity"));
        Assert.Equal("TCP", spec["ports"]![0]!.AsObject().GetString("protocol"));
        Assert.Equal(80, spec["ports"]![0]!["targetPort"].GetLong());
        Assert.Equal("http", spec["ports"]![1]!.AsObject().GetString("targetPort"));
        Assert.Equal("""{"loadBalancer":{}}""", svc["status"]!.ToJsonString());
    }

    [Fact]
    public void Ports_are_required_unless_headless()
    {
        Assert.Equal("spec.ports", Assert.Single(Errors(Service("""{"selector":{"app":"web"}}"""))).Field);
        Assert.Empty(Errors(Service("""{"clusterIP":"None","selector":{"app":"web"}}""")));
        Assert.Contains("spec", CreateErrorFields(ServiceKind.Instance, Json("""{"metadata":{"name":"svc"}}""")));
    }

    [Theory]
    [InlineData("""[{"port":0}]""", "spec.ports[0].port")]
    [InlineData("""[{"port":65536}]""", "spec.ports[0].port")]
    [InlineData("""[{"port":80,"protocol":"ICMP"}]""", "spec.ports[0].protocol")]
    [InlineData("""[{"name":"a","port":80},{"port":81}]""", "spec.ports[1].name")]
    [InlineData("""[{"name":"a","port":80},{"name":"a","port":81}]""", "spec.ports[1].name")]
    [InlineData("""[{"name":"Bad_Name","port":80}]""", "spec.ports[0].name")]
    [InlineData("""[{"name":"a","port":80},{"name":"b","port":80}]""", "spec.ports[1]")]
    [InlineData("""[{"port":80,"nodePort":30080}]""", "spec.ports[0].nodePort")]
    public void Port_rules(string ports, string field)
    {
        Assert.Equal(field, Assert.Single(Errors(Service($$"""{"ports":{{ports}} }"""))).Field);
    }

    [Fact]
    public void The_same_port_on_two_protocols_is_fine()
    {
        Assert.Empty(Errors(Service("""{"ports":[{"name":"a","port":53},{"name":"b","port":53,"protocol":"UDP"}]}""")));
    }

    [Fact]
    public void A_node_port_is_allowed_for_NodePort_services()
    {
        Assert.Empty(Errors(Service("""{"type":"NodePort","ports":[{"port":80,"nodePort":30080}]}""")));
    }

    [Fact]
    public void Ports_built_in_memory_are_checked()
    {
        var svc = Service("""{"ports":[{"name":"a","port":1},{"name":"b","port":1}]}""");
        svc["spec"]!["ports"]![0]!["port"] = 70000;
        svc["spec"]!["ports"]![1]!["port"] = 70000;
        Assert.Equal(["spec.ports[0].port", "spec.ports[1].port", "spec.ports[1]"], Errors(svc).Select(e => e.Field));
    }

    [Fact]
    public void Type_must_be_supported()
    {
        var error = Assert.Single(Errors(Service("""{"type":"Mesh","ports":[{"port":80}]}""")));
        Assert.Equal("spec.type", error.Field);
        Assert.Equal(FieldErrorType.NotSupported, error.Type);
    }

    [Fact]
    public void ExternalName_needs_an_external_name_and_no_ports()
    {
        Assert.Equal("spec.externalName", Assert.Single(Errors(Service("""{"type":"ExternalName"}"""))).Field);
        Assert.Empty(Errors(Service("""{"type":"ExternalName","externalName":"db.example.com"}""")));
    }

    [Fact]
    public void Selector_labels_are_validated()
    {
        Assert.Contains("spec.selector", Errors(Service("""{"ports":[{"port":80}],"selector":{"app":"bad value!"}}""")).Select(e => e.Field));
    }

    [Fact]
    public void Cluster_ip_is_immutable_once_set()
    {
        var state = Created(ServiceKind.Instance, Service("""{"clusterIP":"10.96.0.10","ports":[{"port":80}]}"""));
        var error = state.Patch(PatchType.Merge, Json("""{"spec":{"clusterIP":"10.96.0.11"}}"""), Subresource.Main, Context()).Error!;
        Assert.Equal("spec.clusterIP", Assert.Single(error.Causes!).Field);
        Assert.Null(state.Patch(PatchType.Merge, Json("""{"spec":{"ports":[{"port":81}]}}"""), Subresource.Main, Context()).Error);
    }

    [Fact]
    public void A_replace_without_the_defaulted_fields_keeps_the_defaults()
    {
        var state = Created(ServiceKind.Instance, Service("""{"ports":[{"port":80}]}"""));
        var decision = state.Replace(Service("""{"ports":[{"port":80}]}"""), Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Null(decision.Event);
    }

    [Fact]
    public void Row_and_columns()
    {
        var svc = Service("""{"type":"NodePort","clusterIP":"10.96.0.10","selector":{"app":"web"},"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}""");
        svc.Metadata()["creationTimestamp"] = "2026-01-01T03:04:05Z";
        var row = ServiceKind.Instance.Row(svc, Now);
        Assert.Equal(ServiceKind.Instance.Columns.Count, row.Count);
        Assert.Equal(["svc", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "24h", "app=web"], row);
    }

    [Fact]
    public void Row_of_a_service_without_ports_or_selector()
    {
        var row = ServiceKind.Instance.Row(Service("""{"type":"ExternalName","externalName":"db.example.com"}"""), Now);
        Assert.Equal(["svc", "ExternalName", "<none>", "db.example.com", "<none>", "<unknown>", "<none>"], row);
    }
}
