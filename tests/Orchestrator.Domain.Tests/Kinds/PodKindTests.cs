using System.Text.Json.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

public class PodKindTests
{
    private static JsonObject PodWith(string containers, string extraSpec = "") =>
        Json($$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":{{containers}}{{extraSpec}} } }""");

    private static List<FieldError> Errors(JsonObject pod) => PodKind.Instance.Validate(pod).ToList();

    private static List<string> Fields(JsonObject pod) => Errors(pod).Select(e => e.Field).ToList();

    [Fact]
    public void A_minimal_pod_is_valid_and_created()
    {
        Assert.Empty(Errors(Pod()));
        Assert.Null(CreateError(PodKind.Instance, Pod()));
    }

    [Fact]
    public void A_pod_without_spec_or_containers_is_invalid()
    {
        Assert.Equal(["spec"], Fields(Json("""{"metadata":{"name":"p"}}""")));
        Assert.Equal(["spec.containers"], Fields(PodWith("[]")));
        Assert.Contains("spec.containers", CreateErrorFields(PodKind.Instance, PodWith("[]")));
    }

    [Fact]
    public void Containers_need_a_name_and_an_image()
    {
        var errors = Errors(PodWith("""[{}]"""));
        Assert.Contains(errors, e => e.Field == "spec.containers[0].name" && e.Type == FieldErrorType.Required);
        Assert.Contains(errors, e => e.Field == "spec.containers[0].image" && e.Type == FieldErrorType.Required);
        Assert.Contains("spec.containers[0].image", Fields(PodWith("""[{"name":"c","image":"  "}]""")));
    }

    [Fact]
    public void Container_names_are_DNS_labels_and_unique()
    {
        Assert.Contains("spec.containers[0].name", Fields(PodWith("""[{"name":"Bad_Name","image":"i"}]""")));
        var duplicate = Errors(PodWith("""[{"name":"c","image":"i"},{"name":"c","image":"i"}]"""));
        Assert.Equal("spec.containers[1].name: Duplicate value: \"c\"", Assert.Single(duplicate).Message);
    }

    [Fact]
    public void Init_containers_are_validated_with_their_own_paths()
    {
        var pod = PodWith("""[{"name":"c","image":"i"}]""", ""","initContainers":[{"name":"init"}]""");
        Assert.Equal(["spec.initContainers[0].image"], Fields(pod));
    }

    [Fact]
    public void Init_container_names_may_not_repeat_container_names()
    {
        var pod = PodWith("""[{"name":"c","image":"i"}]""", ""","initContainers":[{"name":"c","image":"i"}]""");
        Assert.Equal("spec.initContainers[0].name: Duplicate value: \"c\"", Assert.Single(Errors(pod)).Message);
    }

    [Theory]
    [InlineData("livenessProbe")]
    [InlineData("readinessProbe")]
    [InlineData("startupProbe")]
    public void Init_containers_may_not_have_probes(string probe)
    {
        var pod = PodWith("""[{"name":"c","image":"i"}]""", ""","initContainers":[{"name":"init","image":"i",""" + $"\"{probe}\"" + """:{"exec":{"command":["true"]}}}]""");
        Assert.Equal($"spec.initContainers[0].{probe}: Forbidden: may not be set for init containers without restartPolicy=Always", Assert.Single(Errors(pod)).Message);
    }

    [Theory]
    [InlineData(0, "spec.containers[0].ports[0].containerPort: Required value")]
    [InlineData(70000, "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive")]
    [InlineData(-1, "spec.containers[0].ports[0].containerPort: Invalid value: -1: must be between 1 and 65535, inclusive")]
    public void Container_ports_must_be_in_range(int port, string message)
    {
        var errors = Errors(PodWith($$"""[{"name":"c","image":"i","ports":[{"containerPort":{{port}}}]}]"""));
        Assert.Equal(message, Assert.Single(errors).Message);
    }

    [Fact]
    public void A_port_protocol_must_be_supported()
    {
        var errors = Errors(PodWith("""[{"name":"c","image":"i","ports":[{"containerPort":80,"protocol":"HTTP"}]}]"""));
        Assert.Equal("spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"", Assert.Single(errors).Message);
    }

    [Fact]
    public void Host_ports_may_not_repeat_across_containers_for_the_same_protocol()
    {
        var pod = PodWith("""
            [{"name":"a","image":"i","ports":[{"containerPort":80,"hostPort":8080},{"containerPort":81,"hostPort":8080,"protocol":"UDP"}]},
             {"name":"b","image":"i","ports":[{"containerPort":90,"hostPort":8080}]}]
            """);
        var error = Assert.Single(Errors(pod));
        Assert.Equal("spec.containers[1].ports[0].hostPort", error.Field);
        Assert.Equal(FieldErrorType.Duplicate, error.Type);
        Assert.Contains("8080/TCP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_ports_are_checked_when_built_in_memory()
    {
        var pod = PodWith("""[{"name":"a","image":"i","ports":[{"containerPort":80}]},{"name":"b","image":"i","ports":[{"containerPort":81}]}]""");
        foreach (var c in pod["spec"]!["containers"]!.AsArray()) c!["ports"]![0]!["hostPort"] = 9000;
        Assert.Equal(["spec.containers[1].ports[0].hostPort"], Fields(pod));
        pod["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = 0;
        Assert.Contains("spec.containers[0].ports[0].containerPort", Fields(pod));
    }

    [Fact]
    public void Port_names_are_unique_within_a_container()
    {
        var pod = PodWith("""[{"name":"c","image":"i","ports":[{"containerPort":80,"name":"http"},{"containerPort":81,"name":"http"}]}]""");
        Assert.Equal(["spec.containers[0].ports[1].name"], Fields(pod));
    }

    [Fact]
    public void Restart_policy_and_pull_policy_must_be_supported()
    {
        var pod = PodWith("""[{"name":"c","image":"i","imagePullPolicy":"Sometimes"}]""", ""","restartPolicy":"Maybe" """);
        var errors = Errors(pod);
        Assert.Contains(errors, e => e.Field == "spec.restartPolicy" && e.Type == FieldErrorType.NotSupported);
        Assert.Contains(errors, e => e.Field == "spec.containers[0].imagePullPolicy" && e.Type == FieldErrorType.NotSupported);
        Assert.Empty(Errors(PodWith("""[{"name":"c","image":"i"}]""", ""","restartPolicy":"Never" """)));
    }

    [Fact]
    public void Env_vars_need_a_name()
    {
        Assert.Equal(["spec.containers[0].env[1].name"], Fields(PodWith("""[{"name":"c","image":"i","env":[{"name":"A"},{"value":"x"}]}]""")));
    }

    [Theory]
    [InlineData("\"100m\"", true)]
    [InlineData("\"1Gi\"", true)]
    [InlineData("2", true)]
    [InlineData("\"-1\"", false)]
    [InlineData("\"lots\"", false)]
    public void Resource_quantities_must_parse_and_not_be_negative(string quantity, bool valid)
    {
        var pod = PodWith($$"""[{"name":"c","image":"i","resources":{"limits":{"cpu":{{quantity}} } } }]""");
        if (valid) Assert.Empty(Errors(pod));
        else Assert.Equal("spec.containers[0].resources.limits[cpu]", Assert.Single(Errors(pod)).Field);
    }

    [Fact]
    public void A_bad_quantity_is_refused_by_the_store()
    {
        var error = CreateError(PodKind.Instance, PodWith("""[{"name":"c","image":"i","resources":{"requests":{"memory":"lots"}}}]"""));
        Assert.NotNull(error);
        Assert.True(error.Code is 400 or 422, error.Message);
    }

    [Fact]
    public void Probes_need_exactly_one_handler()
    {
        Assert.Equal(["spec.containers[0].livenessProbe"], Fields(PodWith("""[{"name":"c","image":"i","livenessProbe":{"periodSeconds":5}}]""")));
        var two = Assert.Single(Errors(PodWith("""[{"name":"c","image":"i","readinessProbe":{"exec":{"command":["true"]},"tcpSocket":{"port":80}}}]""")));
        Assert.Equal(FieldErrorType.Forbidden, two.Type);
        Assert.Equal("spec.containers[0].readinessProbe", two.Field);
        Assert.Empty(Errors(PodWith("""[{"name":"c","image":"i","startupProbe":{"httpGet":{"port":80}}}]""")));
    }

    [Fact]
    public void Grace_period_node_name_and_node_selector_are_checked()
    {
        var pod = PodWith("""[{"name":"c","image":"i"}]""", ""","terminationGracePeriodSeconds":-1,"nodeName":"Bad_Node","nodeSelector":{"bad key!":"x"}""");
        var fields = Fields(pod);
        Assert.Contains("spec.terminationGracePeriodSeconds", fields);
        Assert.Contains("spec.nodeName", fields);
        Assert.Contains("spec.nodeSelector", fields);
    }

    [Fact]
    public void Create_defaults_the_pod()
    {
        var state = Created(PodKind.Instance, PodWith("""[{"name":"a","image":"nginx"},{"name":"b","image":"nginx:latest"},{"name":"c","image":"nginx:1.25"},{"name":"d","image":"x:1","imagePullPolicy":"Never"}]"""));
        var pod = state.Current!;
        var spec = pod["spec"]!.AsObject();
        Assert.Equal("Always", spec.GetString("restartPolicy"));
        Assert.Equal(30, spec["terminationGracePeriodSeconds"].GetLong());
        Assert.Equal("ClusterFirst", spec.GetString("dnsPolicy"));
        Assert.Equal("default-scheduler", spec.GetString("schedulerName"));
        var pulls = spec["containers"]!.AsArray().Select(c => c!.AsObject().GetString("imagePullPolicy")).ToList();
        Assert.Equal(["Always", "Always", "IfNotPresent", "Never"], pulls);
        Assert.Equal("/dev/termination-log", spec["containers"]![0]!.AsObject().GetString("terminationMessagePath"));
        Assert.Equal("File", spec["containers"]![0]!.AsObject().GetString("terminationMessagePolicy"));
        Assert.Equal("Pending", pod["status"]!.AsObject().GetString("phase"));
        Assert.Equal("BestEffort", pod["status"]!.AsObject().GetString("qosClass"));
    }

    [Fact]
    public void Create_keeps_a_restart_policy_and_grace_period_given()
    {
        var pod = Created(PodKind.Instance, PodWith("""[{"name":"c","image":"i"}]""", ""","restartPolicy":"Never","terminationGracePeriodSeconds":5""")).Current!;
        Assert.Equal("Never", pod["spec"]!.AsObject().GetString("restartPolicy"));
        Assert.Equal(5, pod["spec"]!["terminationGracePeriodSeconds"].GetLong());
    }

    [Theory]
    [InlineData("""{"limits":{"cpu":"1","memory":"1Gi"}}""", "Guaranteed")]
    [InlineData("""{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1","memory":"1Gi"}}""", "Guaranteed")]
    [InlineData("""{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m"}}""", "Burstable")]
    [InlineData("""{"requests":{"cpu":"1"}}""", "Burstable")]
    [InlineData("""{}""", "BestEffort")]
    [InlineData("""{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1000m","memory":"1073741824"}}""", "Guaranteed")]
    public void Qos_class(string resources, string expected)
    {
        Assert.Equal(expected, PodKind.QosClass(PodWith($$"""[{"name":"c","image":"i","resources":{{resources}}}]""")));
    }

    [Fact]
    public void Only_images_deadline_tolerations_and_grace_period_may_change()
    {
        var state = Created(PodKind.Instance, Pod());
        var image = state.Visible!;
        image["spec"]!["containers"]![0]!["image"] = "nginx:1.26";
        image["spec"]!["activeDeadlineSeconds"] = 60;
        image["spec"]!["tolerations"] = JsonNode.Parse("""[{"key":"k","operator":"Exists"}]""");
        Assert.Null(state.Replace(image, Subresource.Main, Context()).Error);

        var env = state.Visible!;
        env["spec"]!["containers"]![0]!["env"] = JsonNode.Parse("""[{"name":"A","value":"1"}]""");
        var error = state.Replace(env, Subresource.Main, Context()).Error!;
        Assert.Equal(422, error.Code);
        var cause = Assert.Single(error.Causes!);
        Assert.Equal("spec", cause.Field);
        Assert.Equal("FieldValueForbidden", cause.Reason);
        Assert.Contains("pod updates may not change fields other than", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replace_with_the_original_manifest_and_a_new_image_is_accepted()
    {
        // kubectl replace -f sends the manifest without the server's defaults: they are applied again.
        var state = Created(PodKind.Instance, Pod());
        var decision = state.Replace(Pod(image: "nginx:1.26"), Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Equal("Always", decision.Result!["spec"]!.AsObject().GetString("restartPolicy"));
        Assert.Equal("Pending", decision.Result!["status"]!.AsObject().GetString("phase"));
        Assert.Equal(2, decision.Result!.Generation());
    }

    [Fact]
    public void Tolerations_may_be_added_but_not_removed()
    {
        var pod = Pod();
        pod["spec"]!["tolerations"] = JsonNode.Parse("""[{"key":"a","operator":"Exists"}]""");
        var state = Created(PodKind.Instance, pod);

        var added = state.Patch(PatchType.Merge, Json("""{"spec":{"tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]}}"""), Subresource.Main, Context());
        Assert.Null(added.Error);

        var removed = state.Patch(PatchType.Merge, Json("""{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}"""), Subresource.Main, Context());
        Assert.Equal("spec", Assert.Single(removed.Error!.Causes!).Field);
    }

    [Fact]
    public void ValidateUpdate_directly()
    {
        var before = Pod();
        var after = Pod(image: "other");
        Assert.Empty(PodKind.Instance.ValidateUpdate(before, after));
        after["spec"]!["restartPolicy"] = "Never";
        Assert.Single(PodKind.Instance.ValidateUpdate(before, after));
    }
}

public class PodTableTests
{
    private static JsonObject PodWithStatus(string status, string extraMeta = "") => Json($$"""
        {"metadata":{"name":"p","creationTimestamp":"2026-01-02T03:00:00Z"{{extraMeta}}},
         "spec":{"nodeName":"n1","containers":[{"name":"a","image":"i"},{"name":"b","image":"i"}]},
         "status":{{status}}}
        """);

    [Fact]
    public void Row_prints_ready_status_restarts_age_ip_and_node()
    {
        var pod = PodWithStatus("""
            {"phase":"Running","podIP":"10.0.0.5","containerStatuses":[
              {"name":"a","ready":true,"restartCount":2,"state":{"running":{}}},
              {"name":"b","ready":false,"restartCount":1,"state":{"running":{}}}]}
            """);
        var row = PodKind.Instance.Row(pod, Now);
        Assert.Equal(PodKind.Instance.Columns.Count, row.Count);
        Assert.Equal(["p", "1/2", "Running", "3", "4m5s", "10.0.0.5", "n1"], row);
    }

    [Fact]
    public void Row_counts_restarts_built_in_memory()
    {
        var pod = PodWithStatus("""{"phase":"Running","containerStatuses":[{"name":"a","ready":true}]}""");
        pod["status"]!["containerStatuses"]![0]!["restartCount"] = 4L;
        Assert.Equal("4", PodKind.Instance.Row(pod, Now)[3]);
    }

    [Fact]
    public void Row_of_a_new_pod()
    {
        var pod = Json("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"i"}]}}""");
        Assert.Equal(["p", "0/1", "Pending", "0", "<unknown>", "<none>", "<none>"], PodKind.Instance.Row(pod, Now));
    }

    [Theory]
    [InlineData("""{"phase":"Pending","containerStatuses":[{"state":{"waiting":{"reason":"ContainerCreating"}}}]}""", "ContainerCreating")]
    [InlineData("""{"phase":"Running","containerStatuses":[{"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}""", "CrashLoopBackOff")]
    [InlineData("""{"phase":"Failed","containerStatuses":[{"state":{"terminated":{"reason":"Error"}}}]}""", "Error")]
    [InlineData("""{"phase":"Succeeded","containerStatuses":[{"state":{"terminated":{"reason":"Completed"}}}]}""", "Completed")]
    [InlineData("""{"phase":"Failed","reason":"Evicted"}""", "Evicted")]
    [InlineData("""{"phase":"Running"}""", "Running")]
    [InlineData("""{}""", "Pending")]
    public void Status_column(string status, string expected)
    {
        Assert.Equal(expected, PodKind.DisplayStatus(PodWithStatus(status)));
    }

    [Fact]
    public void A_deleting_pod_is_Terminating()
    {
        Assert.Equal("Terminating", PodKind.DisplayStatus(PodWithStatus("""{"phase":"Running"}""", ""","deletionTimestamp":"2026-01-02T03:04:00Z" """)));
    }
}
