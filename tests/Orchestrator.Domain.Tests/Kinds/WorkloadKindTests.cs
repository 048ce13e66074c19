using System.Text.Json.Nodes;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

public class ReplicaSetKindTests
{
    private static List<FieldError> Errors(JsonObject obj) => ReplicaSetKind.Instance.Validate(obj).ToList();

    [Fact]
    public void A_valid_replica_set()
    {
        Assert.Empty(Errors(ReplicaSet()));
        Assert.Null(CreateError(ReplicaSetKind.Instance, ReplicaSet()));
    }

    [Fact]
    public void Spec_is_required()
    {
        Assert.Equal("spec", Assert.Single(Errors(Json("""{"metadata":{"name":"rs"}}"""))).Field);
    }

    [Fact]
    public void Selector_is_required()
    {
        var rs = ReplicaSet();
        rs["spec"]!.AsObject().Remove("selector");
        var error = Assert.Single(Errors(rs));
        Assert.Equal("spec.selector", error.Field);
        Assert.Equal(FieldErrorType.Required, error.Type);
    }

    [Fact]
    public void An_empty_selector_is_invalid()
    {
        var rs = ReplicaSet();
        rs["spec"]!["selector"] = new JsonObject();
        Assert.Contains(Errors(rs), e => e.Field == "spec.selector" && e.Type == FieldErrorType.Invalid);
    }

    [Fact]
    public void An_unparseable_selector_is_invalid()
    {
        var rs = ReplicaSet();
        rs["spec"]!["selector"] = Json("""{"matchExpressions":[{"key":"app","operator":"Sometimes","values":["web"]}]}""");
        Assert.Contains(Errors(rs), e => e.Field == "spec.selector" && e.Type == FieldErrorType.Invalid);
    }

    [Fact]
    public void Selector_must_match_the_template_labels()
    {
        var rs = ReplicaSet();
        rs["spec"]!["template"]!["metadata"]!["labels"] = Json("""{"app":"api"}""");
        var error = Assert.Single(Errors(rs));
        Assert.Equal("spec.template.metadata.labels", error.Field);
        Assert.Equal("spec.template.metadata.labels: Invalid value: {\"app\":\"api\"}: `selector` does not match template `labels`", error.Message);
    }

    [Fact]
    public void Match_expressions_are_honoured()
    {
        var rs = ReplicaSet();
        rs["spec"]!["selector"] = Json("""{"matchExpressions":[{"key":"app","operator":"In","values":["web","api"]}]}""");
        Assert.Empty(Errors(rs));
    }

    [Fact]
    public void Template_is_required_and_its_pod_spec_validated()
    {
        var rs = ReplicaSet();
        rs["spec"]!.AsObject().Remove("template");
        Assert.Contains("spec.template", Errors(rs).Select(e => e.Field));

        var noImage = ReplicaSet();
        noImage["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("image");
        Assert.Equal("spec.template.spec.containers[0].image", Assert.Single(Errors(noImage)).Field);
    }

    [Theory]
    [InlineData("Always", true)]
    [InlineData("OnFailure", false)]
    [InlineData("Never", false)]
    public void A_template_must_restart_Always(string policy, bool valid)
    {
        var rs = ReplicaSet();
        rs["spec"]!["template"]!["spec"]!["restartPolicy"] = policy;
        if (valid) Assert.Empty(Errors(rs));
        else Assert.Equal("spec.template.spec.restartPolicy", Assert.Single(Errors(rs)).Field);
    }

    [Fact]
    public void Replicas_and_min_ready_seconds_may_not_be_negative()
    {
        var rs = ReplicaSet(replicas: -1);
        rs["spec"]!["minReadySeconds"] = -5;
        var fields = Errors(rs).Select(e => e.Field).ToList();
        Assert.Equal(["spec.replicas", "spec.minReadySeconds"], fields);
    }

    [Fact]
    public void Replicas_default_to_1_and_status_is_reset()
    {
        var rs = ReplicaSet();
        rs["spec"]!.AsObject().Remove("replicas");
        rs["status"] = Json("""{"replicas":3}""");
        var created = Created(ReplicaSetKind.Instance, rs).Current!;
        Assert.Equal(1, created["spec"]!["replicas"].GetLong());
        Assert.Null(created["status"]);
        Assert.Equal("1", ReplicaSetKind.Instance.Row(created, Now)[1]);
    }

    [Fact]
    public void A_replace_without_replicas_keeps_1_replica()
    {
        var rs = ReplicaSet();
        rs["spec"]!.AsObject().Remove("replicas");
        var state = Created(ReplicaSetKind.Instance, rs);
        Assert.Null(state.Replace(rs, Subresource.Main, Context()).Event);
    }

    [Fact]
    public void The_selector_is_immutable()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var error = state.Patch(PatchType.Merge, Json("""
            {"spec":{"selector":{"matchLabels":{"app":"web","tier":"x"}},"template":{"metadata":{"labels":{"tier":"x"}}}}}
            """), Subresource.Main, Context()).Error!;
        Assert.Equal(422, error.Code);
        var cause = Assert.Single(error.Causes!);
        Assert.Equal("spec.selector", cause.Field);
        Assert.Contains("field is immutable", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_and_columns()
    {
        var rs = ReplicaSet();
        rs.Metadata()["creationTimestamp"] = "2026-01-02T02:04:05Z";
        rs["status"] = Json("""{"replicas":2,"readyReplicas":1}""");
        var row = ReplicaSetKind.Instance.Row(rs, Now);
        Assert.Equal(ReplicaSetKind.Instance.Columns.Count, row.Count);
        Assert.Equal(["rs", "2", "2", "1", "60m", "c", "nginx", "app=web"], row);
    }
}

public class DeploymentKindTests
{
    private static List<FieldError> Errors(JsonObject obj) => DeploymentKind.Instance.Validate(obj).ToList();

    private static JsonObject WithStrategy(string strategy)
    {
        var d = Deployment();
        d["spec"]!["strategy"] = JsonNode.Parse(strategy);
        return d;
    }

    [Fact]
    public void Create_defaults_the_deployment()
    {
        var d = Created(DeploymentKind.Instance, Deployment()).Current!;
        var spec = d["spec"]!.AsObject();
        Assert.Equal(1, spec["replicas"].GetLong());
        Assert.Equal(10, spec["revisionHistoryLimit"].GetLong());
        Assert.Equal(600, spec["progressDeadlineSeconds"].GetLong());
        Assert.Equal("""{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}""", spec["strategy"]!.ToJsonString());
        Assert.Equal(1, d.Generation());
    }

    [Fact]
    public void Recreate_gets_no_rolling_update_defaults()
    {
        var d = Created(DeploymentKind.Instance, WithStrategy("""{"type":"Recreate"}""")).Current!;
        Assert.Equal("""{"type":"Recreate"}""", d["spec"]!["strategy"]!.ToJsonString());
    }

    [Fact]
    public void Given_rolling_update_values_are_kept()
    {
        var d = Created(DeploymentKind.Instance, WithStrategy("""{"rollingUpdate":{"maxSurge":1}}""")).Current!;
        Assert.Equal("""{"maxSurge":1,"maxUnavailable":"25%"}""", d["spec"]!["strategy"]!["rollingUpdate"]!.ToJsonString());
    }

    [Fact]
    public void Strategy_type_must_be_supported()
    {
        var error = Assert.Single(Errors(WithStrategy("""{"type":"BlueGreen"}""")));
        Assert.Equal("spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\"", error.Message);
    }

    [Fact]
    public void Recreate_may_not_have_rolling_update_parameters()
    {
        var error = Assert.Single(Errors(WithStrategy("""{"type":"Recreate","rollingUpdate":{"maxSurge":1}}""")));
        Assert.Equal("spec.strategy.rollingUpdate", error.Field);
        Assert.Equal(FieldErrorType.Forbidden, error.Type);
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("\"0%\"", "0")]
    [InlineData("0", "\"0%\"")]
    public void Max_surge_and_max_unavailable_may_not_both_be_0(string surge, string unavailable)
    {
        var error = Assert.Single(Errors(WithStrategy($$"""{"type":"RollingUpdate","rollingUpdate":{"maxSurge":{{surge}},"maxUnavailable":{{unavailable}} } }""")));
        Assert.Equal("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0", error.Message);
    }

    [Fact]
    public void Max_surge_and_max_unavailable_both_0_are_refused_when_built_in_memory()
    {
        var d = WithStrategy("""{"type":"RollingUpdate","rollingUpdate":{}}""");
        d["spec"]!["strategy"]!["rollingUpdate"]!["maxSurge"] = 0;
        d["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"] = 0;
        Assert.Single(Errors(d));
    }

    [Theory]
    [InlineData("""{"maxSurge":-1}""", "spec.strategy.rollingUpdate.maxSurge")]
    [InlineData("""{"maxUnavailable":"150%"}""", "spec.strategy.rollingUpdate.maxUnavailable")]
    [InlineData("""{"maxSurge":"lots"}""", "spec.strategy.rollingUpdate.maxSurge")]
    [InlineData("""{"maxSurge":"5"}""", "spec.strategy.rollingUpdate.maxSurge")]
    public void Max_surge_and_max_unavailable_are_ints_or_percents(string rolling, string field)
    {
        var error = Assert.Single(Errors(WithStrategy($$"""{"type":"RollingUpdate","rollingUpdate":{{rolling}} }""")));
        Assert.Equal(field, error.Field);
    }

    [Theory]
    [InlineData("""{"maxSurge":1,"maxUnavailable":0}""")]
    [InlineData("""{"maxSurge":"0%","maxUnavailable":"10%"}""")]
    [InlineData("""{"maxSurge":"100%","maxUnavailable":3}""")]
    public void Valid_rolling_updates(string rolling)
    {
        Assert.Empty(Errors(WithStrategy($$"""{"type":"RollingUpdate","rollingUpdate":{{rolling}} }""")));
    }

    [Fact]
    public void Workload_rules_apply_to_deployments()
    {
        var d = Deployment();
        d["spec"]!.AsObject().Remove("selector");
        Assert.Contains("spec.selector", CreateErrorFields(DeploymentKind.Instance, d));

        var mismatch = Deployment();
        mismatch["spec"]!["template"]!["metadata"]!["labels"] = Json("""{"app":"api"}""");
        Assert.Contains("spec.template.metadata.labels", CreateErrorFields(DeploymentKind.Instance, mismatch));
    }

    [Fact]
    public void The_selector_is_immutable_and_template_changes_bump_generation()
    {
        var state = Created(DeploymentKind.Instance, Deployment());
        var image = state.Patch(PatchType.Strategic, Json("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}"""), Subresource.Main, Context());
        Assert.Equal(2, image.Result!.Generation());

        var selector = state.Patch(PatchType.Merge, Json("""{"spec":{"selector":{"matchLabels":{"app":null,"x":"y"}},"template":{"metadata":{"labels":{"x":"y"}}}}}"""),
            Subresource.Main, Context());
        Assert.Contains("spec.selector", selector.Error!.Causes!.Select(c => c.Field));
    }

    [Fact]
    public void A_replace_without_the_defaulted_fields_changes_nothing()
    {
        var state = Created(DeploymentKind.Instance, Deployment());
        var decision = state.Replace(Deployment(), Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Null(decision.Event);
    }

    [Fact]
    public void Row_and_columns()
    {
        var d = Created(DeploymentKind.Instance, Deployment()).Current!;
        d["status"] = Json("""{"readyReplicas":1,"updatedReplicas":1,"availableReplicas":0}""");
        var row = DeploymentKind.Instance.Row(d, Now.AddSeconds(30));
        Assert.Equal(DeploymentKind.Instance.Columns.Count, row.Count);
        Assert.Equal(["d", "1/1", "1", "0", "30s", "c", "nginx", "app=web"], row);
    }
}
