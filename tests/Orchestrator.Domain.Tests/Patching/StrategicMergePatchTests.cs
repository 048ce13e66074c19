using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orchestrator.Domain.Patching;

namespace Orchestrator.Domain.Tests.Patching;

public class StrategicMergePatchTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Apply(string original, string patch, string kind) =>
        StrategicMergePatch.Apply(Obj(original), Obj(patch), kind);

    private static void AssertJson(string expected, JsonNode? actual)
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {JsonNode.Parse(expected)!.ToJsonString()}\n     got {actual?.ToJsonString() ?? "null"}");
        AssertNoDirectives(actual);
    }

    private static void AssertNoDirectives(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    Assert.False(key.StartsWith('$'), $"directive {key} leaked into the result");
                    AssertNoDirectives(value);
                }
                break;
            case JsonArray list:
                foreach (var item in list)
                    AssertNoDirectives(item);
                break;
        }
    }

    private static string Names(JsonNode? list, string key = "name") =>
        string.Join(",", list!.AsArray().Select(e => e![key]!.ToJsonString().Trim('"')));

    private const string Deployment = """
        {
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": { "name": "web", "namespace": "default", "labels": { "app": "web" }, "finalizers": ["a/one", "a/two"] },
          "spec": {
            "replicas": 1,
            "selector": { "matchLabels": { "app": "web" } },
            "strategy": { "type": "RollingUpdate", "rollingUpdate": { "maxSurge": 1, "maxUnavailable": 0 } },
            "template": {
              "metadata": { "labels": { "app": "web" } },
              "spec": {
                "containers": [
                  { "name": "web", "image": "nginx:1", "args": ["-a", "-b"],
                    "ports": [ { "containerPort": 80, "name": "http" }, { "containerPort": 443, "name": "https" } ],
                    "env": [ { "name": "A", "value": "1" }, { "name": "B", "value": "2" } ],
                    "envFrom": [ { "configMapRef": { "name": "cm1" } } ],
                    "volumeMounts": [ { "mountPath": "/data", "name": "data" } ] },
                  { "name": "sidecar", "image": "busybox" }
                ],
                "volumes": [ { "name": "data", "emptyDir": {} } ],
                "tolerations": [ { "key": "k1", "operator": "Exists" } ],
                "imagePullSecrets": [ { "name": "reg1" } ]
              }
            }
          }
        }
        """;

    [Fact]
    public void Kubectl_scale_sets_replicas_only()
    {
        var result = Apply(Deployment, """{"spec":{"replicas":3}}""", "Deployment");
        var expected = Obj(Deployment);
        expected["spec"]!["replicas"] = 3;
        AssertJson(expected.ToJsonString(), result);
    }

    [Fact]
    public void Kubectl_label_and_annotate_merge_maps_and_null_removes()
    {
        var result = Apply(Deployment, """{"metadata":{"labels":{"tier":"fe","app":null},"annotations":{"note":"x"}}}""", "Deployment");
        AssertJson("""{"tier":"fe"}""", result["metadata"]!["labels"]);
        AssertJson("""{"note":"x"}""", result["metadata"]!["annotations"]);
    }

    [Fact]
    public void Containers_merge_by_name_keeping_everything_not_in_the_patch()
    {
        var result = Apply(Deployment, """{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}""", "Deployment");
        var containers = result["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal("web,sidecar", Names(containers));
        Assert.Equal("nginx:2", (string?)containers[0]!["image"]);
        Assert.Equal("busybox", (string?)containers[1]!["image"]);
        Assert.Equal(2, containers[0]!["ports"]!.AsArray().Count);
        Assert.Equal(2, containers[0]!["env"]!.AsArray().Count);
    }

    [Fact]
    public void Pod_containers_merge_at_spec_containers()
    {
        var pod = """{"kind":"Pod","spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}}""";
        var result = Apply(pod, """{"spec":{"containers":[{"name":"b","image":"z"}]}}""", "Pod");
        AssertJson("""{"kind":"Pod","spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"z"}]}}""", result);
    }

    [Fact]
    public void ReplicaSet_templates_merge_like_deployments()
    {
        var rs = """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}}}}""";
        var result = Apply(rs, """{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x2"}]}}}}""", "ReplicaSet");
        Assert.Equal("a,b", Names(result["spec"]!["template"]!["spec"]!["containers"]));
    }

    [Fact]
    public void Lists_of_unknown_kinds_and_paths_are_replaced()
    {
        var result = Apply("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""", """{"spec":{"containers":[{"name":"b","image":"z"}]}}""", "ConfigMap");
        AssertJson("""{"spec":{"containers":[{"name":"b","image":"z"}]}}""", result);
    }

    [Fact]
    public void A_new_element_goes_first_without_an_order_directive_as_in_Kubernetes()
    {
        var result = Apply(Deployment, """{"spec":{"template":{"spec":{"containers":[{"name":"new","image":"redis"}]}}}}""", "Deployment");
        Assert.Equal("new,web,sidecar", Names(result["spec"]!["template"]!["spec"]!["containers"]));
    }

    [Fact]
    public void SetElementOrder_orders_the_merged_list_and_is_stripped()
    {
        var patch = """
            {"spec":{"template":{"spec":{
              "$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"},{"name":"new"}],
              "containers":[{"name":"new","image":"redis"}]
            }}}}
            """;
        var result = Apply(Deployment, patch, "Deployment");
        Assert.Equal("web,sidecar,new", Names(result["spec"]!["template"]!["spec"]!["containers"]));
        AssertNoDirectives(result);
    }

    [Fact]
    public void SetElementOrder_alone_reorders_and_server_only_items_keep_their_place()
    {
        var pod = """{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"}]}}""";
        var result = Apply(pod, """{"spec":{"$setElementOrder/containers":[{"name":"d"},{"name":"b"}]}}""", "Pod");
        // d and b take the given order; the server-only a and c go before them because both
        // came before d in the original (Kubernetes' mergeSortedSlice).
        Assert.Equal("a,c,d,b", Names(result["spec"]!["containers"]));
    }

    [Fact]
    public void Patch_order_wins_over_server_order_for_patched_items()
    {
        var pod = """{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}""";
        var result = Apply(pod, """{"spec":{"containers":[{"name":"c","image":"1"},{"name":"a","image":"2"}]}}""", "Pod");
        // c and a keep the patch order; b (server-only) came before c in the original.
        Assert.Equal("b,c,a", Names(result["spec"]!["containers"]));
    }

    [Fact]
    public void Env_merges_by_name_and_patch_delete_removes_one_variable()
    {
        var patch = """
            {"spec":{"template":{"spec":{"containers":[{"name":"web","env":[
              {"name":"A","value":"10"},
              {"name":"B","$patch":"delete"},
              {"name":"C","value":"3"}
            ]}]}}}}
            """;
        var result = Apply(Deployment, patch, "Deployment");
        var env = result["spec"]!["template"]!["spec"]!["containers"]![0]!["env"];
        AssertJson("""[{"name":"A","value":"10"},{"name":"C","value":"3"}]""", env);
    }

    [Fact]
    public void Ports_merge_by_containerPort()
    {
        var patch = """{"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":443,"name":"tls"},{"containerPort":8080}]}]}}}}""";
        var result = Apply(Deployment, patch, "Deployment");
        var ports = result["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"];
        Assert.Equal("http,tls,8080".Split(','), ports!.AsArray().Select(p => (string?)p!["name"] ?? p!["containerPort"]!.ToJsonString()));
    }

    [Fact]
    public void VolumeMounts_merge_by_mountPath_and_volumes_by_name()
    {
        var patch = """
            {"spec":{"template":{"spec":{
              "containers":[{"name":"web","volumeMounts":[{"mountPath":"/data","readOnly":true},{"mountPath":"/cfg","name":"cfg"}]}],
              "volumes":[{"name":"cfg","configMap":{"name":"c"}}],
              "imagePullSecrets":[{"name":"reg2"}]
            }}}}
            """;
        var result = Apply(Deployment, patch, "Deployment");
        var spec = result["spec"]!["template"]!["spec"]!;
        AssertJson("""[{"mountPath":"/data","name":"data","readOnly":true},{"mountPath":"/cfg","name":"cfg"}]""", spec["containers"]![0]!["volumeMounts"]);
        Assert.Equal("cfg,data", Names(spec["volumes"]));
        Assert.Equal("reg2,reg1", Names(spec["imagePullSecrets"]));
    }

    [Fact]
    public void EnvFrom_tolerations_and_args_are_replaced()
    {
        var patch = """
            {"spec":{"template":{"spec":{
              "containers":[{"name":"web","envFrom":[{"secretRef":{"name":"s"}}],"args":["-c"]}],
              "tolerations":[{"key":"k2","operator":"Exists"}]
            }}}}
            """;
        var result = Apply(Deployment, patch, "Deployment");
        var spec = result["spec"]!["template"]!["spec"]!;
        AssertJson("""[{"secretRef":{"name":"s"}}]""", spec["containers"]![0]!["envFrom"]);
        AssertJson("""["-c"]""", spec["containers"]![0]!["args"]);
        AssertJson("""[{"key":"k2","operator":"Exists"}]""", spec["tolerations"]);
    }

    [Fact]
    public void TopologySpreadConstraints_and_hostAliases_merge_by_their_keys()
    {
        var pod = """{"spec":{"topologySpreadConstraints":[{"topologyKey":"zone","maxSkew":1}],"hostAliases":[{"ip":"10.0.0.1","hostnames":["a"]}]}}""";
        var patch = """{"spec":{"topologySpreadConstraints":[{"topologyKey":"zone","maxSkew":2},{"topologyKey":"host","maxSkew":1}],"hostAliases":[{"ip":"10.0.0.2","hostnames":["b"]}]}}""";
        var result = Apply(pod, patch, "Pod");
        AssertJson("""[{"topologyKey":"zone","maxSkew":2},{"topologyKey":"host","maxSkew":1}]""", result["spec"]!["topologySpreadConstraints"]);
        AssertJson("""[{"ip":"10.0.0.2","hostnames":["b"]},{"ip":"10.0.0.1","hostnames":["a"]}]""", result["spec"]!["hostAliases"]);
    }

    [Fact]
    public void InitContainers_merge_by_name()
    {
        var pod = """{"spec":{"initContainers":[{"name":"init","image":"a"},{"name":"init2","image":"b"}]}}""";
        var result = Apply(pod, """{"spec":{"initContainers":[{"name":"init2","image":"c","env":[{"name":"X","value":"1"}]}]}}""", "Pod");
        AssertJson("""{"spec":{"initContainers":[{"name":"init","image":"a"},{"name":"init2","image":"c","env":[{"name":"X","value":"1"}]}]}}""", result);
    }

    [Fact]
    public void Service_ports_merge_by_port()
    {
        var svc = """{"spec":{"ports":[{"port":80,"targetPort":8080,"name":"http"},{"port":443,"name":"https"}]}}""";
        var result = Apply(svc, """{"spec":{"ports":[{"port":80,"targetPort":9090}]}}""", "Service");
        AssertJson("""{"spec":{"ports":[{"port":80,"targetPort":9090,"name":"http"},{"port":443,"name":"https"}]}}""", result);
    }

    [Fact]
    public void Status_conditions_merge_by_type()
    {
        var pod = """{"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False"}]}}""";
        var result = Apply(pod, """{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}""", "Pod");
        AssertJson("""{"status":{"phase":"Running","conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"True"}]}}""", result);
    }

    [Fact]
    public void Node_taints_merge_by_key_and_addresses_by_type()
    {
        var node = """{"spec":{"taints":[{"key":"a","effect":"NoSchedule"},{"key":"b","effect":"NoSchedule"}]},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"n1"}]}}""";
        var patch = """{"spec":{"taints":[{"key":"a","effect":"NoExecute"},{"key":"b","$patch":"delete"}]},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}}""";
        var result = Apply(node, patch, "Node");
        AssertJson("""{"spec":{"taints":[{"key":"a","effect":"NoExecute"}]},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"},{"type":"Hostname","address":"n1"}]}}""", result);
    }

    [Fact]
    public void OwnerReferences_merge_by_uid()
    {
        var pod = """{"metadata":{"ownerReferences":[{"uid":"1","name":"rs1","controller":true}]}}""";
        var result = Apply(pod, """{"metadata":{"ownerReferences":[{"uid":"1","controller":false},{"uid":"2","name":"rs2"}]}}""", "Pod");
        AssertJson("""{"metadata":{"ownerReferences":[{"uid":"1","name":"rs1","controller":false},{"uid":"2","name":"rs2"}]}}""", result);
    }

    [Fact]
    public void Finalizers_merge_as_a_set_and_deleteFromPrimitiveList_removes()
    {
        var added = Apply(Deployment, """{"metadata":{"finalizers":["a/two","a/three"]}}""", "Deployment");
        AssertJson("""["a/one","a/two","a/three"]""", added["metadata"]!["finalizers"]);

        var removed = Apply(Deployment, """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a/one"]}}""", "Deployment");
        AssertJson("""["a/two"]""", removed["metadata"]!["finalizers"]);

        var both = Apply(Deployment, """{"metadata":{"$deleteFromPrimitiveList/finalizers":["a/one","a/two"],"finalizers":["b"]}}""", "Namespace");
        AssertJson("""["b"]""", both["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Primitive_lists_can_be_ordered_and_replaced()
    {
        var ordered = Apply(Deployment, """{"metadata":{"$setElementOrder/finalizers":["a/two","a/one"]}}""", "Deployment");
        AssertJson("""["a/two","a/one"]""", ordered["metadata"]!["finalizers"]);

        var replaced = Apply(Deployment, """{"metadata":{"finalizers":[{"$patch":"replace"},"z"]}}""", "Deployment");
        AssertJson("""["z"]""", replaced["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Node_podCIDRs_merge_as_a_set()
    {
        var result = Apply("""{"spec":{"podCIDRs":["10.0.0.0/24"]}}""", """{"spec":{"podCIDRs":["10.0.1.0/24","10.0.0.0/24"]}}""", "Node");
        AssertJson("""{"spec":{"podCIDRs":["10.0.1.0/24","10.0.0.0/24"]}}""", result);
    }

    [Fact]
    public void Patch_replace_on_a_map_replaces_it()
    {
        var result = Apply(Deployment, """{"spec":{"selector":{"$patch":"replace","matchLabels":{"tier":"fe"}}}}""", "Deployment");
        AssertJson("""{"matchLabels":{"tier":"fe"}}""", result["spec"]!["selector"]);
    }

    [Fact]
    public void Kubectl_rollout_undo_replaces_the_template()
    {
        var patch = """
            {"spec":{"template":{"$patch":"replace",
              "metadata":{"labels":{"app":"web"}},
              "spec":{"containers":[{"name":"web","image":"nginx:0"}]}}}}
            """;
        var result = Apply(Deployment, patch, "Deployment");
        AssertJson("""{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:0"}]}}""", result["spec"]!["template"]);
        Assert.Equal(1, (int)result["spec"]!["replicas"]!);
    }

    [Fact]
    public void Kubectl_rollout_restart_adds_a_template_annotation()
    {
        var result = Apply(Deployment, """{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}}""", "Deployment");
        AssertJson("""{"labels":{"app":"web"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}""", result["spec"]!["template"]!["metadata"]);
        Assert.Equal("web,sidecar", Names(result["spec"]!["template"]!["spec"]!["containers"]));
    }

    [Fact]
    public void Patch_delete_on_a_map_removes_it()
    {
        var result = Apply(Deployment, """{"spec":{"strategy":{"$patch":"delete"}}}""", "Deployment");
        Assert.False(result["spec"]!.AsObject().ContainsKey("strategy"));

        var root = Apply(Deployment, """{"$patch":"delete"}""", "Deployment");
        AssertJson("{}", root);
    }

    [Fact]
    public void Patch_merge_on_a_map_and_on_an_element_merges()
    {
        var result = Apply(Deployment, """{"spec":{"strategy":{"$patch":"merge","type":"RollingUpdate","rollingUpdate":{"maxSurge":2}}}}""", "Deployment");
        AssertJson("""{"type":"RollingUpdate","rollingUpdate":{"maxSurge":2,"maxUnavailable":0}}""", result["spec"]!["strategy"]);

        var element = Apply(Deployment, """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"merge","image":"alpine"}]}}}}""", "Deployment");
        AssertJson("""{"name":"sidecar","image":"alpine"}""", element["spec"]!["template"]!["spec"]!["containers"]![1]);
    }

    [Fact]
    public void Patch_replace_element_replaces_the_whole_list()
    {
        var patch = """{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}}}""";
        var result = Apply(Deployment, patch, "Deployment");
        AssertJson("""[{"name":"only","image":"x"}]""", result["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void RetainKeys_clears_the_fields_not_listed()
    {
        // kubectl apply switching a Deployment from RollingUpdate to Recreate.
        var result = Apply(Deployment, """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}""", "Deployment");
        AssertJson("""{"type":"Recreate"}""", result["spec"]!["strategy"]);

        var volume = Apply(Deployment, """{"spec":{"template":{"spec":{"volumes":[{"name":"data","$retainKeys":["name","hostPath"],"hostPath":{"path":"/x"}}]}}}}""", "Deployment");
        AssertJson("""[{"name":"data","hostPath":{"path":"/x"}}]""", volume["spec"]!["template"]!["spec"]!["volumes"]);
    }

    [Theory]
    [InlineData("""{"spec":{"strategy":{"$patch":"explode"}}}""", "strategic merge patch at spec.strategy: unknown $patch directive \"explode\" on a map: expected \"replace\", \"delete\" or \"merge\"")]
    [InlineData("""{"spec":{"strategy":{"$patch":1}}}""", "strategic merge patch at spec.strategy: $patch must be a string (\"replace\", \"delete\" or \"merge\"), not 1")]
    [InlineData("""{"spec":{"template":{"spec":{"containers":[{"name":"web","$patch":"nope"}]}}}}""", "strategic merge patch at spec.template.spec.containers: unknown $patch directive \"nope\" in a list")]
    [InlineData("""{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}""", "does not contain declared merge key: name")]
    [InlineData("""{"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}}""", "does not contain declared merge key: name")]
    [InlineData("""{"spec":{"template":{"spec":{"containers":["web"]}}}}""", "the list is merged on \"name\", so its elements must be objects, found \"web\"")]
    [InlineData("""{"spec":{"strategy":{"$retainKeys":"type"}}}""", "invalid patch format of retainKeys: $retainKeys must be a list of strings")]
    [InlineData("""{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}""", "invalid patch format of retainKeys: \"rollingUpdate\" is in the patch but not in $retainKeys")]
    [InlineData("""{"spec":{"template":{"spec":{"$setElementOrder/containers":{"name":"web"}}}}}""", "$setElementOrder/containers must be a list")]
    [InlineData("""{"spec":{"template":{"spec":{"$setElementOrder/containers":["web"]}}}}""", "$setElementOrder entries must be objects holding the merge key \"name\"")]
    [InlineData("""{"metadata":{"$deleteFromPrimitiveList/finalizers":"a/one"}}""", "$deleteFromPrimitiveList/finalizers must be a list")]
    [InlineData("""{"metadata":{"$setElementOrder/":[]}}""", "directive \"$setElementOrder/\" must name a field after '/'")]
    [InlineData("""{"metadata":{"$deleteFromPrimitiveList":[]}}""", "directive \"$deleteFromPrimitiveList\" must name a field after '/'")]
    [InlineData("""{"metadata":{"finalizers":[{"$patch":"delete"}]}}""", "$patch \"delete\" is not allowed in a list of primitives")]
    [InlineData("""{"metadata":{"finalizers":[["x"]]}}""", "expected a list of primitives, found [\"x\"]")]
    public void Bad_directives_throw_PatchException_with_a_clear_message(string patch, string message)
    {
        var e = Assert.Throws<PatchException>(() => Apply(Deployment, patch, "Deployment"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directives_in_new_subtrees_do_not_leak()
    {
        var patch = """
            {"spec":{"template":{"spec":{
              "initContainers":[{"name":"i","$patch":"merge","env":[{"name":"X","value":"1"}]}],
              "$setElementOrder/initContainers":[{"name":"i"}],
              "affinity":{"$patch":"replace","nodeAffinity":{"$retainKeys":["x"],"x":1,"gone":null}},
              "readinessGates":[{"conditionType":"a","$patch":"merge"},{"$patch":"replace"}]
            }}}}
            """;
        var result = Apply(Deployment, patch, "Deployment");
        var spec = result["spec"]!["template"]!["spec"]!;
        AssertJson("""[{"name":"i","env":[{"name":"X","value":"1"}]}]""", spec["initContainers"]);
        AssertJson("""{"nodeAffinity":{"x":1}}""", spec["affinity"]);
        AssertJson("""[{"conditionType":"a"}]""", spec["readinessGates"]);
    }

    [Fact]
    public void Kubectl_apply_style_patch_with_all_the_directives()
    {
        // What kubectl apply sends after removing env B, adding a port, reordering and dropping the sidecar.
        var patch = """
            {
              "metadata": { "annotations": { "kubectl.kubernetes.io/last-applied-configuration": "{}" } },
              "spec": { "template": { "spec": {
                "$setElementOrder/containers": [ { "name": "web" } ],
                "containers": [
                  { "name": "web",
                    "$setElementOrder/env": [ { "name": "A" } ],
                    "$setElementOrder/ports": [ { "containerPort": 80 }, { "containerPort": 443 }, { "containerPort": 9000 } ],
                    "env": [ { "name": "B", "$patch": "delete" } ],
                    "ports": [ { "containerPort": 9000, "name": "metrics" } ] },
                  { "name": "sidecar", "$patch": "delete" }
                ]
              } } }
            }
            """;
        var result = Apply(Deployment, patch, "Deployment");
        var containers = result["spec"]!["template"]!["spec"]!["containers"]!;
        Assert.Equal("web", Names(containers));
        AssertJson("""[{"name":"A","value":"1"}]""", containers[0]!["env"]);
        Assert.Equal("http,https,metrics", Names(containers[0]!["ports"]));
        Assert.Equal("{}", (string?)result["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);
    }

    [Fact]
    public void Inputs_are_never_modified()
    {
        var original = Obj(Deployment);
        var patch = Obj("""{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"x","env":[{"name":"A","$patch":"delete"}]},{"name":"z"}]}}},"metadata":{"finalizers":["q"]}}""");
        var (originalText, patchText) = (original.ToJsonString(), patch.ToJsonString());
        var result = StrategicMergePatch.Apply(original, patch, "Deployment");
        result["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "mutated";
        Assert.Equal(originalText, original.ToJsonString());
        Assert.Equal(patchText, patch.ToJsonString());
    }

    [Fact]
    public void Kinds_are_matched_case_insensitively_and_unknown_kinds_still_merge_metadata()
    {
        var result = Apply("""{"spec":{"containers":[{"name":"a"},{"name":"b","image":"1"}]}}""", """{"spec":{"containers":[{"name":"b","image":"2"}]}}""", "pod");
        Assert.Equal("a,b", Names(result["spec"]!["containers"]));
        var custom = Apply("""{"metadata":{"finalizers":["x"]}}""", """{"metadata":{"finalizers":["y"]}}""", "Widget");
        AssertJson("""{"metadata":{"finalizers":["y","x"]}}""", custom);
    }

    [Fact]
    public void The_strategy_table_covers_the_documented_paths()
    {
        Assert.Equal("name", PatchStrategies.Lookup("Deployment", "spec/template/spec/containers")?.MergeKey);
        Assert.Equal("name", PatchStrategies.Lookup("ReplicaSet", "spec/template/spec/initContainers")?.MergeKey);
        Assert.Equal("containerPort", PatchStrategies.Lookup("Pod", "spec/containers/ports")?.MergeKey);
        Assert.Equal("mountPath", PatchStrategies.Lookup("Pod", "spec/containers/volumeMounts")?.MergeKey);
        Assert.Equal("port", PatchStrategies.Lookup("Service", "spec/ports")?.MergeKey);
        Assert.Equal("key", PatchStrategies.Lookup("Node", "spec/taints")?.MergeKey);
        Assert.Equal("uid", PatchStrategies.Lookup("Secret", "metadata/ownerReferences")?.MergeKey);
        Assert.True(PatchStrategies.Lookup("Event", "metadata/finalizers")?.MergePrimitives);
        Assert.Null(PatchStrategies.Lookup("Pod", "spec/tolerations"));
        Assert.Null(PatchStrategies.Lookup("Pod", "spec/containers/envFrom"));
        Assert.Null(PatchStrategies.Lookup("Pod", "spec/template/spec/containers"));
        Assert.Null(PatchStrategies.Lookup("Service", "spec/containers"));
    }

    // ---- properties ----

    [Property]
    public Property Without_strategic_paths_it_is_a_JSON_merge_patch() =>
        Prop.ForAll(JsonGen.Object(allowNull: true).ToArbitrary(), JsonGen.Object(allowNull: true).ToArbitrary(), (original, patch) =>
            JsonNode.DeepEquals(StrategicMergePatch.Apply(original, patch, "ConfigMap"), JsonMergePatch.Apply(original, patch)));

    [Property]
    public Property The_empty_patch_is_the_identity() =>
        Prop.ForAll(JsonGen.Object(allowNull: true).ToArbitrary(), original =>
            JsonNode.DeepEquals(StrategicMergePatch.Apply(original, new JsonObject(), "Pod"), original));

    private static readonly string[] ContainerNames = ["a", "b", "c", "d", "e"];

    private static JsonObject PodWith(IEnumerable<string> names) =>
        new() { ["spec"] = new JsonObject { ["containers"] = new JsonArray(names.Select(n => (JsonNode?)new JsonObject { ["name"] = n, ["image"] = n + ":1" }).ToArray()) } };

    [Property]
    public Property Patching_containers_by_name_changes_exactly_those_containers() =>
        Prop.ForAll(Gen.SubListOf(ContainerNames).ToArbitrary(), Gen.SubListOf(ContainerNames).ToArbitrary(), (existing, patched) =>
        {
            var patch = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(patched.Select(n => (JsonNode?)new JsonObject { ["name"] = n, ["image"] = n + ":2" }).ToArray()),
                },
            };
            var result = StrategicMergePatch.Apply(PodWith(existing), patch, "Pod");
            var images = result["spec"]!["containers"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => (string)c!["image"]!);
            return images.Count == existing.Union(patched).Count()
                   && images.All(kv => kv.Value == kv.Key + (patched.Contains(kv.Key) ? ":2" : ":1"));
        });

    [Property]
    public Property SetElementOrder_listing_every_container_yields_exactly_that_order() =>
        Prop.ForAll(Gen.SubListOf(ContainerNames).ToArbitrary(), Gen.Shuffle(ContainerNames).ToArbitrary(), (existing, order) =>
        {
            var wanted = order.Where(existing.Contains).ToList();
            var patch = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["$setElementOrder/containers"] = new JsonArray(wanted.Select(n => (JsonNode?)new JsonObject { ["name"] = n }).ToArray()),
                },
            };
            var result = StrategicMergePatch.Apply(PodWith(existing), patch, "Pod");
            return result["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!).SequenceEqual(wanted);
        });

    [Property]
    public Property Deleting_by_merge_key_removes_exactly_that_element() =>
        Prop.ForAll(Gen.SubListOf(ContainerNames).ToArbitrary(), Gen.Elements(ContainerNames).ToArbitrary(), (existing, victim) =>
        {
            var patch = new JsonObject
            {
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = victim, ["$patch"] = "delete" }) },
            };
            var result = StrategicMergePatch.Apply(PodWith(existing), patch, "Pod");
            return result["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!).SequenceEqual(existing.Where(n => n != victim));
        });
}
