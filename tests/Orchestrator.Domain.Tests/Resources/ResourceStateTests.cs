using System.Text.Json.Nodes;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Resources;

public class ResourceStateCreateTests
{
    [Fact]
    public void Create_sets_uid_creation_timestamp_generation_and_the_key_and_strips_server_fields()
    {
        var pod = Pod();
        var meta = pod.Metadata();
        meta["namespace"] = "elsewhere";
        meta["resourceVersion"] = "42";
        meta["uid"] = "client-uid";
        meta["deletionTimestamp"] = "2020-01-01T00:00:00Z";
        meta["selfLink"] = "/api/v1/x";
        var state = ResourceState.Empty(PodKind.Instance, new ResourceKey("Pod", "team", "web"));

        var decision = state.Create(pod, Context("uid-7"));

        Assert.Null(decision.Error);
        var created = Assert.IsType<ResourceCreated>(decision.Event);
        var m = created.Object.Metadata();
        Assert.Equal("uid-7", m.GetString("uid"));
        Assert.Equal("2026-01-02T03:04:05Z", m.GetString("creationTimestamp"));
        Assert.Equal(1, created.Object.Generation());
        Assert.Equal("team", m.GetString("namespace"));
        Assert.Equal("web", m.GetString("name"));
        Assert.Null(m["resourceVersion"]);
        Assert.Null(m["deletionTimestamp"]);
        Assert.Null(m["selfLink"]);
        Assert.Same(created.Object, decision.Result);
    }

    [Fact]
    public void Create_does_not_change_the_incoming_object()
    {
        var pod = Pod();
        var before = pod.ToJsonString();
        ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, "web")).Create(pod, Context());
        Assert.Equal(before, pod.ToJsonString());
    }

    [Fact]
    public void Create_of_a_cluster_scoped_kind_drops_the_namespace()
    {
        var ns = Json("""{"metadata":{"name":"team","namespace":"default"}}""");
        var decision = ResourceState.Empty(NamespaceKind.Instance, Key(NamespaceKind.Instance, "team")).Create(ns, Context());
        Assert.Null(decision.Error);
        Assert.Null(decision.Result!.Metadata()["namespace"]);
        Assert.Equal("Namespace", decision.Result!.GetString("kind"));
        Assert.Equal("v1", decision.Result!.GetString("apiVersion"));
    }

    [Fact]
    public void Create_fills_in_kind_and_apiVersion_when_missing()
    {
        var rs = ReplicaSet();
        rs.Remove("kind");
        rs.Remove("apiVersion");
        var result = ResourceState.Empty(ReplicaSetKind.Instance, Key(ReplicaSetKind.Instance, "rs")).Create(rs, Context()).Result!;
        Assert.Equal("ReplicaSet", result.GetString("kind"));
        Assert.Equal("apps/v1", result.GetString("apiVersion"));
    }

    [Fact]
    public void Create_of_an_existing_object_is_AlreadyExists_409()
    {
        var state = Created(PodKind.Instance, Pod());
        var error = state.Create(Pod(), Context()).Error!;
        Assert.Equal(409, error.Code);
        Assert.Equal("AlreadyExists", error.Reason);
        Assert.Equal("pods \"web\" already exists", error.Message);
    }

    [Fact]
    public void AlreadyExists_names_the_group_of_a_grouped_kind()
    {
        var state = Created(DeploymentKind.Instance, Deployment());
        Assert.Equal("deployments.apps \"d\" already exists", state.Create(Deployment(), Context()).Error!.Message);
    }

    [Fact]
    public void Create_resets_status_of_kinds_with_a_status_subresource()
    {
        var rs = ReplicaSet();
        rs["status"] = Json("""{"replicas":9}""");
        var result = ResourceState.Empty(ReplicaSetKind.Instance, Key(ReplicaSetKind.Instance, "rs")).Create(rs, Context()).Result!;
        Assert.Null(result["status"]);
    }

    [Theory]
    [InlineData("Service", "v1")]
    [InlineData("Pod", "apps/v1")]
    public void Kind_or_apiVersion_mismatch_is_BadRequest_400(string kind, string apiVersion)
    {
        var pod = Pod();
        pod["kind"] = kind;
        pod["apiVersion"] = apiVersion;
        var error = ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, "web")).Create(pod, Context()).Error!;
        Assert.Equal(400, error.Code);
        Assert.Equal("BadRequest", error.Reason);
        Assert.Contains(kind == "Pod" ? "API version" : "kind of the object (Service)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_where_a_number_belongs_is_BadRequest_400()
    {
        var rs = ReplicaSet();
        rs["spec"]!["replicas"] = "three";
        var error = ResourceState.Empty(ReplicaSetKind.Instance, Key(ReplicaSetKind.Instance, "rs")).Create(rs, Context()).Error!;
        Assert.Equal(400, error.Code);
        Assert.StartsWith("ReplicaSet in version \"v1\" cannot be handled as a ReplicaSet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_metadata_that_is_not_an_object_is_BadRequest_400()
    {
        var pod = Pod();
        pod["metadata"] = "web";
        var error = ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, "web")).Create(pod, Context()).Error!;
        Assert.Equal(400, error.Code);
    }

    [Fact]
    public void An_invalid_object_is_Invalid_422_with_causes_naming_the_fields()
    {
        var pod = Json("""{"metadata":{"name":"web","labels":{"bad key!":"x"}},"spec":{"containers":[{"name":"c"}]}}""");
        var error = ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, "web")).Create(pod, Context()).Error!;
        Assert.Equal(422, error.Code);
        Assert.Equal("Invalid", error.Reason);
        Assert.Equal("Pod", error.Kind);
        Assert.Equal("web", error.Name);
        var fields = error.Causes!.Select(c => c.Field).ToList();
        Assert.Contains("spec.containers[0].image", fields);
        Assert.Contains("metadata.labels", fields);
        Assert.StartsWith("Pod \"web\" is invalid: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("spec.containers[0].image: Required value", error.Message, StringComparison.Ordinal);
        Assert.Equal("FieldValueRequired", error.Causes!.Single(c => c.Field == "spec.containers[0].image").Reason);
    }

    [Fact]
    public void Invalid_names_the_group_of_a_grouped_kind()
    {
        var rs = ReplicaSet();
        rs["spec"]!["replicas"] = -1;
        var error = ResourceState.Empty(ReplicaSetKind.Instance, Key(ReplicaSetKind.Instance, "rs")).Create(rs, Context()).Error!;
        Assert.StartsWith("ReplicaSet.apps \"rs\" is invalid: spec.replicas: Invalid value: -1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_name_in_the_key_is_refused()
    {
        var error = ResourceState.Empty(PodKind.Instance, new ResourceKey("Pod", "default", "Not_Valid")).Create(Pod(), Context()).Error!;
        Assert.Equal(422, error.Code);
        Assert.Contains("metadata.name", error.Causes!.Select(c => c.Field));
    }

    [Fact]
    public void Apply_of_a_create_makes_the_object_visible_with_its_resourceVersion()
    {
        var state = Created(PodKind.Instance, Pod());
        Assert.True(state.Exists);
        Assert.Equal(1, state.ResourceVersion);
        Assert.Equal("1", state.Visible!.ResourceVersion());
        Assert.Null(state.Current!.ResourceVersion());
        Assert.Equal("1", state.Get().Result!.ResourceVersion());
    }

    [Fact]
    public void Get_of_an_absent_object_is_NotFound_404()
    {
        var error = ResourceState.Empty(ReplicaSetKind.Instance, Key(ReplicaSetKind.Instance, "gone")).Get().Error!;
        Assert.Equal(404, error.Code);
        Assert.Equal("replicasets.apps \"gone\" not found", error.Message);
    }
}

public class ResourceStateReplaceTests
{
    private static JsonObject Edit(ResourceState state, Action<JsonObject> change)
    {
        var obj = state.Visible!;
        change(obj);
        return obj;
    }

    [Fact]
    public void Replace_of_an_absent_object_is_NotFound()
    {
        var error = ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, "web")).Replace(Pod(), Subresource.Main, Context()).Error!;
        Assert.Equal(404, error.Code);
    }

    [Fact]
    public void Replace_with_a_stale_resourceVersion_is_Conflict_409_with_the_Kubernetes_message()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var stale = Edit(state, o => o.Metadata()["resourceVersion"] = "0");
        var error = state.Replace(stale, Subresource.Main, Context()).Error!;
        Assert.Equal(409, error.Code);
        Assert.Equal("Conflict", error.Reason);
        Assert.Equal("Operation cannot be fulfilled on replicasets.apps \"rs\": the object has been modified; please apply your changes to the latest version and try again",
            error.Message);
    }

    [Fact]
    public void Replace_without_a_resourceVersion_applies_to_the_current_version()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var obj = Edit(state, o => { o.Metadata().Remove("resourceVersion"); o["spec"]!["replicas"] = 5; });
        var decision = state.Replace(obj, Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Equal(5, decision.Result!["spec"]!["replicas"].GetLong());
    }

    [Fact]
    public void Replace_with_another_uid_is_a_precondition_Conflict()
    {
        var state = Created(PodKind.Instance, Pod());
        var error = state.Replace(Edit(state, o => o.Metadata()["uid"] = "other"), Subresource.Main, Context()).Error!;
        Assert.Equal(409, error.Code);
        Assert.Contains("Precondition failed: UID in precondition: other, UID in object meta: uid-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replace_with_another_name_is_BadRequest()
    {
        var state = Created(PodKind.Instance, Pod());
        var error = state.Replace(Edit(state, o => o.Metadata()["name"] = "other"), Subresource.Main, Context()).Error!;
        Assert.Equal(400, error.Code);
    }

    [Fact]
    public void Replace_or_patch_into_another_namespace_is_BadRequest()
    {
        var state = Created(PodKind.Instance, Pod());
        var error = state.Replace(Edit(state, o => o.Metadata()["namespace"] = "other"), Subresource.Main, Context()).Error!;
        Assert.Equal(400, error.Code);
        Assert.Equal("the namespace of the provided object does not match the namespace sent on the request", error.Message);
        Assert.Equal(400, state.Patch(PatchType.Merge, Json("""{"metadata":{"namespace":"other"}}"""), Subresource.Main, Context()).Error!.Code);
        Assert.Null(state.Replace(Edit(state, o => o.Metadata().Remove("namespace")), Subresource.Main, Context()).Error);
    }

    [Fact]
    public void Replace_that_changes_the_spec_bumps_generation_and_keeps_system_fields()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var obj = Edit(state, o =>
        {
            o["spec"]!["replicas"] = 3;
            o.Metadata()["uid"] = null;
            o.Metadata().Remove("creationTimestamp");
        });
        var decision = state.Replace(obj, Subresource.Main, Context(now: Now.AddHours(1)));

        Assert.Null(decision.Error);
        var updated = Assert.IsType<ResourceUpdated>(decision.Event);
        Assert.Equal("replaced", updated.Change);
        Assert.Equal(2, updated.Object.Generation());
        Assert.Equal("uid-1", updated.Object.Uid());
        Assert.Equal("2026-01-02T03:04:05Z", updated.Object.Metadata().GetString("creationTimestamp"));
        Assert.Null(updated.Object.ResourceVersion());
    }

    [Fact]
    public void Generation_counts_every_spec_change()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        for (var replicas = 3; replicas <= 5; replicas++)
        {
            var r = replicas;
            state = state.Then(state.Replace(Edit(state, o => o["spec"]!["replicas"] = r), Subresource.Main, Context()));
        }
        Assert.Equal(4, state.Current!.Generation());
        Assert.Equal(4, state.ResourceVersion);
    }

    [Fact]
    public void A_metadata_only_change_keeps_the_generation()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var decision = state.Replace(Edit(state, o => o.Metadata()["labels"] = new JsonObject { ["tier"] = "front" }), Subresource.Main, Context());
        Assert.IsType<ResourceUpdated>(decision.Event);
        Assert.Equal(1, decision.Result!.Generation());
        Assert.Equal("front", decision.Result!.Labels()["tier"]);
    }

    [Fact]
    public void A_data_change_bumps_the_generation_of_a_ConfigMap()
    {
        var state = Created(ConfigMapKind.Instance, Json("""{"metadata":{"name":"cm"},"data":{"a":"1"}}"""));
        var decision = state.Replace(Edit(state, o => o["data"]!["a"] = "2"), Subresource.Main, Context());
        Assert.Equal(2, decision.Result!.Generation());
    }

    [Fact]
    public void Replacing_with_the_same_object_gives_no_event()
    {
        var state = Created(PodKind.Instance, Pod());
        var decision = state.Replace(state.Visible!, Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Null(decision.Event);
        Assert.Equal("1", decision.Result!.ResourceVersion());
    }

    [Fact]
    public void Replacing_with_the_same_object_after_a_journal_round_trip_gives_no_event()
    {
        // The entity recovers its state from the journal: the object is then parsed JSON, not built in memory.
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var recovered = state with { Current = Json(state.Current!.ToJsonString()) };
        Assert.Null(recovered.Replace(state.Visible!, Subresource.Main, Context()).Event);
        Assert.Null(state.Replace(Json(state.Visible!.ToJsonString()), Subresource.Main, Context()).Event);
    }

    [Fact]
    public void The_main_resource_keeps_the_status_of_a_kind_with_a_status_subresource()
    {
        var state = Created(PodKind.Instance, Pod());
        var decision = state.Replace(Edit(state, o =>
        {
            o["status"] = Json("""{"phase":"Running"}""");
            o.Metadata()["labels"]!["x"] = "y";
        }), Subresource.Main, Context());
        Assert.Equal("Pending", decision.Result!["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("y", decision.Result!.Labels()["x"]);
    }

    [Fact]
    public void A_status_only_change_of_the_main_resource_is_a_no_op()
    {
        var state = Created(PodKind.Instance, Pod());
        var decision = state.Replace(Edit(state, o => o["status"] = Json("""{"phase":"Running"}""")), Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Null(decision.Event);
    }

    [Fact]
    public void The_status_subresource_changes_only_status()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var decision = state.Replace(Edit(state, o =>
        {
            o["status"] = Json("""{"replicas":2,"readyReplicas":1}""");
            o["spec"]!["replicas"] = 7;
            o.Metadata()["labels"] = new JsonObject { ["x"] = "y" };
        }), Subresource.Status, Context());

        var updated = Assert.IsType<ResourceUpdated>(decision.Event);
        Assert.Equal("status", updated.Change);
        Assert.Equal(2, updated.Object["spec"]!["replicas"].GetLong());
        Assert.Equal(1, updated.Object["status"]!["readyReplicas"].GetLong());
        Assert.Empty(updated.Object.Labels());
        Assert.Equal(1, updated.Object.Generation());
    }

    [Fact]
    public void The_status_subresource_without_status_clears_it_and_stores_no_null()
    {
        var state = Created(PodKind.Instance, Pod());
        var obj = Edit(state, o => o.Remove("status"));
        var decision = state.Replace(obj, Subresource.Status, Context());
        Assert.NotNull(decision.Event);
        Assert.False(decision.Result!.ContainsKey("status"));
        var again = state.Then(decision);
        Assert.Null(again.Replace(Edit(again, _ => { }), Subresource.Status, Context()).Event);
    }

    [Fact]
    public void A_kind_without_status_subresource_replaces_the_whole_object()
    {
        var state = Created(ConfigMapKind.Instance, Json("""{"metadata":{"name":"cm"},"data":{"a":"1"}}"""));
        var decision = state.Replace(Edit(state, o => o["data"] = Json("""{"b":"2"}""")), Subresource.Main, Context());
        Assert.Equal("""{"b":"2"}""", decision.Result!["data"]!.ToJsonString());
    }

    [Fact]
    public void An_invalid_update_is_Invalid_422()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var error = state.Replace(Edit(state, o => o["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("image")),
            Subresource.Main, Context()).Error!;
        Assert.Equal(422, error.Code);
        Assert.Contains("spec.template.spec.containers[0].image", error.Causes!.Select(c => c.Field));
    }

    [Fact]
    public void A_typed_decode_error_on_update_is_BadRequest()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var error = state.Replace(Edit(state, o => o["spec"]!["replicas"] = "three"), Subresource.Main, Context()).Error!;
        Assert.Equal(400, error.Code);
    }

    [Fact]
    public void Apply_of_an_update_sets_the_object_and_resourceVersion()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var decision = state.Replace(Edit(state, o => o["spec"]!["replicas"] = 4), Subresource.Main, Context());
        var next = state.Apply(decision.Event!, 17);
        Assert.Equal(17, next.ResourceVersion);
        Assert.Equal("17", next.Visible!.ResourceVersion());
        Assert.Equal(4, next.Current!["spec"]!["replicas"].GetLong());
        Assert.Equal(1, state.ResourceVersion);
    }
}

public class ResourceStatePatchTests
{
    [Fact]
    public void Merge_patch_changes_the_fields_it_names()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var decision = state.Patch(PatchType.Merge, Json("""{"spec":{"replicas":5},"metadata":{"labels":{"a":"b"}}}"""), Subresource.Main, Context());
        var updated = Assert.IsType<ResourceUpdated>(decision.Event);
        Assert.Equal("patched", updated.Change);
        Assert.Equal(5, updated.Object["spec"]!["replicas"].GetLong());
        Assert.Equal("b", updated.Object.Labels()["a"]);
        Assert.Equal(2, updated.Object.Generation());
        Assert.Equal("web", updated.Object["spec"]!["template"]!["metadata"]!["labels"]!["app"]!.GetValue<string>());
    }

    [Fact]
    public void Strategic_patch_merges_containers_by_name()
    {
        var state = Created(PodKind.Instance, Pod());
        var decision = state.Patch(PatchType.Strategic, Json("""{"spec":{"containers":[{"name":"c","image":"nginx:1.26"}]}}"""), Subresource.Main, Context());
        Assert.Null(decision.Error);
        var container = decision.Result!["spec"]!["containers"]![0]!.AsObject();
        Assert.Equal("nginx:1.26", container.GetString("image"));
        Assert.Equal("IfNotPresent", container.GetString("imagePullPolicy"));
    }

    [Fact]
    public void Strategic_patch_that_is_not_an_object_is_refused()
    {
        var state = Created(PodKind.Instance, Pod());
        Assert.NotNull(state.Patch(PatchType.Strategic, new JsonArray(), Subresource.Main, Context()).Error);
    }

    [Fact]
    public void Json_patch_applies_its_operations()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var patch = JsonNode.Parse("""[{"op":"replace","path":"/spec/replicas","value":0},{"op":"add","path":"/metadata/annotations","value":{"n":"1"}}]""")!;
        var decision = state.Patch(PatchType.Json, patch, Subresource.Main, Context());
        Assert.Equal(0, decision.Result!["spec"]!["replicas"].GetLong());
        Assert.Equal("1", decision.Result!.Annotations()["n"]);
    }

    [Fact]
    public void A_failing_json_patch_test_is_refused_with_422()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var patch = JsonNode.Parse("""[{"op":"test","path":"/spec/replicas","value":9}]""")!;
        Assert.Equal(422, state.Patch(PatchType.Json, patch, Subresource.Main, Context()).Error!.Code);
    }

    [Fact]
    public void A_resourceVersion_in_a_patch_is_a_precondition()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var stale = state.Patch(PatchType.Merge, Json("""{"metadata":{"resourceVersion":"7"},"spec":{"replicas":5}}"""), Subresource.Main, Context());
        Assert.Equal(409, stale.Error!.Code);
        Assert.Equal("Conflict", stale.Error!.Reason);

        var current = state.Patch(PatchType.Merge, Json("""{"metadata":{"resourceVersion":"1"},"spec":{"replicas":5}}"""), Subresource.Main, Context());
        Assert.Null(current.Error);
        Assert.Null(current.Result!.ResourceVersion());
    }

    [Fact]
    public void A_patch_that_removes_the_resourceVersion_applies_to_the_current_version()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        Assert.Null(state.Patch(PatchType.Merge, Json("""{"metadata":{"resourceVersion":null},"spec":{"replicas":5}}"""), Subresource.Main, Context()).Error);
    }

    [Fact]
    public void A_patch_whose_metadata_is_not_an_object_is_refused_not_thrown()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var decision = state.Patch(PatchType.Merge, Json("""{"metadata":"x"}"""), Subresource.Main, Context());
        Assert.Equal(400, decision.Error!.Code);
    }

    [Fact]
    public void A_patch_that_changes_nothing_gives_no_event()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var decision = state.Patch(PatchType.Merge, Json("""{"spec":{"replicas":2}}"""), Subresource.Main, Context());
        Assert.Null(decision.Error);
        Assert.Null(decision.Event);
    }

    [Fact]
    public void A_status_patch_changes_only_status()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var decision = state.Patch(PatchType.Merge, Json("""{"spec":{"replicas":9},"status":{"replicas":2}}"""), Subresource.Status, Context());
        var updated = Assert.IsType<ResourceUpdated>(decision.Event);
        Assert.Equal("patched", updated.Change);
        Assert.Equal(2, updated.Object["spec"]!["replicas"].GetLong());
        Assert.Equal(2, updated.Object["status"]!["replicas"].GetLong());
    }

    [Fact]
    public void A_patch_making_the_object_invalid_is_Invalid_422()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var error = state.Patch(PatchType.Merge, Json("""{"spec":{"selector":{"matchLabels":{"app":"other"}}}}"""), Subresource.Main, Context()).Error!;
        Assert.Equal(422, error.Code);
        Assert.Contains("spec.selector", error.Causes!.Select(c => c.Field));
    }

    [Fact]
    public void A_patch_of_an_absent_object_is_NotFound()
    {
        var state = ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, "web"));
        Assert.Equal(404, state.Patch(PatchType.Merge, new JsonObject(), Subresource.Main, Context()).Error!.Code);
    }

    [Fact]
    public void The_change_label_is_passed_through()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var decision = state.Patch(PatchType.Merge, Json("""{"spec":{"replicas":4}}"""), Subresource.Main, Context(), "scaled");
        Assert.Equal("scaled", Assert.IsType<ResourceUpdated>(decision.Event).Change);
    }
}

public class ResourceStateDeleteTests
{
    private static ResourceState WithFinalizers(params string[] finalizers)
    {
        var pod = Pod();
        pod.Metadata()["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray());
        return Created(PodKind.Instance, pod);
    }

    [Fact]
    public void Delete_without_finalizers_deletes()
    {
        var state = Created(PodKind.Instance, Pod());
        var decision = state.Delete(new DeleteRequest(), Context());
        var deleted = Assert.IsType<ResourceDeleted>(decision.Event);
        Assert.Equal("web", deleted.Object.Name());
        var after = state.Apply(deleted, 2);
        Assert.False(after.Exists);
        Assert.Null(after.Visible);
        Assert.Equal(2, after.ResourceVersion);
        Assert.Equal(404, after.Get().Error!.Code);
    }

    [Fact]
    public void After_a_delete_the_name_can_be_created_again()
    {
        var state = Created(PodKind.Instance, Pod());
        state = state.Then(state.Delete(new DeleteRequest(), Context()));
        var decision = state.Create(Pod(), Context("uid-2"));
        Assert.Equal("uid-2", decision.Result!.Uid());
    }

    [Fact]
    public void Delete_of_an_absent_object_is_NotFound()
    {
        Assert.Equal(404, ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, "web")).Delete(new DeleteRequest(), Context()).Error!.Code);
    }

    [Fact]
    public void Delete_with_finalizers_sets_the_deletion_timestamp()
    {
        var state = WithFinalizers("example.com/keep");
        var decision = state.Delete(new DeleteRequest(GracePeriodSeconds: 5), Context(now: Now.AddMinutes(1)));
        var updated = Assert.IsType<ResourceUpdated>(decision.Event);
        Assert.Equal("deletion-requested", updated.Change);
        Assert.Equal("2026-01-02T03:05:05Z", updated.Object.Metadata().GetString("deletionTimestamp"));
        Assert.Equal(5, updated.Object.Metadata()["deletionGracePeriodSeconds"].GetLong());
        Assert.True(updated.Object.IsDeleting());
        Assert.Equal("Terminating", PodKind.DisplayStatus(updated.Object));
    }

    [Fact]
    public void A_second_delete_of_a_deleting_object_changes_nothing()
    {
        var state = WithFinalizers("example.com/keep");
        state = state.Then(state.Delete(new DeleteRequest(), Context()));
        var decision = state.Delete(new DeleteRequest(), Context(now: Now.AddHours(1)));
        Assert.Null(decision.Error);
        Assert.Null(decision.Event);
    }

    [Fact]
    public void Removing_the_last_finalizer_of_a_deleting_object_deletes_it()
    {
        var state = WithFinalizers("a.example.com/x", "b.example.com/y");
        state = state.Then(state.Delete(new DeleteRequest(), Context()));

        var first = state.Patch(PatchType.Merge, Json("""{"metadata":{"finalizers":["b.example.com/y"]}}"""), Subresource.Main, Context());
        Assert.IsType<ResourceUpdated>(first.Event);
        state = state.Then(first);
        Assert.True(state.Current!.IsDeleting());

        var last = state.Patch(PatchType.Merge, Json("""{"metadata":{"finalizers":null}}"""), Subresource.Main, Context());
        Assert.IsType<ResourceDeleted>(last.Event);
        Assert.False(state.Then(last).Exists);
    }

    [Fact]
    public void A_deleting_object_keeps_its_deletion_timestamp_on_replace()
    {
        var state = WithFinalizers("example.com/keep");
        state = state.Then(state.Delete(new DeleteRequest(), Context()));
        var obj = state.Visible!;
        obj.Metadata().Remove("deletionTimestamp");
        obj.Metadata()["labels"]!["x"] = "y";
        var decision = state.Replace(obj, Subresource.Main, Context());
        Assert.True(decision.Result!.IsDeleting());
    }

    [Fact]
    public void A_deleting_object_may_not_gain_finalizers()
    {
        var state = WithFinalizers("example.com/keep");
        state = state.Then(state.Delete(new DeleteRequest(), Context()));
        var error = state.Patch(PatchType.Merge, Json("""{"metadata":{"finalizers":["example.com/keep","example.com/new"]}}"""),
            Subresource.Main, Context()).Error!;
        Assert.Equal(422, error.Code);
        Assert.Equal("metadata.finalizers", Assert.Single(error.Causes!).Field);
    }

    [Fact]
    public void A_live_object_may_gain_finalizers()
    {
        var state = WithFinalizers("example.com/keep");
        Assert.Null(state.Patch(PatchType.Merge, Json("""{"metadata":{"finalizers":["example.com/keep","example.com/new"]}}"""),
            Subresource.Main, Context()).Error);
    }

    [Fact]
    public void The_propagation_policy_becomes_finalizers_that_may_change_until_the_last_one_goes()
    {
        var state = Created(ReplicaSetKind.Instance, ReplicaSet());
        var orphan = Assert.IsType<ResourceUpdated>(state.Delete(new DeleteRequest(PropagationPolicy: "Orphan"), Context()).Event).Object;
        Assert.True(orphan.IsDeleting());
        Assert.Equal(["orphan"], orphan.Finalizers());
        state = state.Then(state.Delete(new DeleteRequest(PropagationPolicy: "Orphan"), Context()));
        Assert.Null(state.Delete(new DeleteRequest(PropagationPolicy: "Orphan"), Context()).Event);
        var foreground = Assert.IsType<ResourceUpdated>(state.Delete(new DeleteRequest(PropagationPolicy: "Foreground"), Context()).Event).Object;
        Assert.Equal(["foregroundDeletion"], foreground.Finalizers());
        Assert.Equal(orphan.Metadata().GetString("deletionTimestamp"), foreground.Metadata().GetString("deletionTimestamp"));
        Assert.IsType<ResourceDeleted>(state.Patch(PatchType.Merge, Json("""{"metadata":{"finalizers":[]}}"""), Subresource.Main, Context()).Event);

        var fresh = Created(ReplicaSetKind.Instance, ReplicaSet());
        Assert.IsType<ResourceDeleted>(fresh.Delete(new DeleteRequest(PropagationPolicy: "Background"), Context()).Event);
        // A kind the garbage collector does not follow is deleted at once whatever the policy.
        Assert.IsType<ResourceDeleted>(Created(NodeKind.Instance, Json("""{"metadata":{"name":"n1"}}""")).Delete(new DeleteRequest(PropagationPolicy: "Foreground"), Context()).Event);
        // A config map is followed: it takes the finalizer like a ReplicaSet.
        Assert.IsType<ResourceUpdated>(Created(ConfigMapKind.Instance, Json("""{"metadata":{"name":"c"},"data":{"a":"b"}}""")).Delete(new DeleteRequest(PropagationPolicy: "Foreground"), Context()).Event);
    }

    [Fact]
    public void A_bound_pod_in_graceful_termination_waits_for_its_node_agent_even_without_finalizers()
    {
        var pod = Pod();
        pod["spec"]!["nodeName"] = "n1";
        var state = Created(PodKind.Instance, pod);
        state = state.Then(state.Delete(new DeleteRequest(PropagationPolicy: "Foreground"), Context()));
        Assert.Equal(["foregroundDeletion"], state.Current!.Finalizers());
        Assert.Equal(30, state.Current!.Metadata()["deletionGracePeriodSeconds"].GetLong());

        // The garbage collector removes the finalizer; the agent writes status: the pod stays.
        var released = state.Patch(PatchType.Merge, Json("""{"metadata":{"finalizers":null}}"""), Subresource.Main, Context());
        state = state.Then(released);
        Assert.True(state.Exists);
        var status = state.Patch(PatchType.Merge, Json("""{"status":{"phase":"Running"}}"""), Subresource.Status, Context());
        Assert.IsNotType<ResourceDeleted>(status.Event);
        // The agent has stopped the containers and deletes with grace 0.
        Assert.IsType<ResourceDeleted>(state.Delete(new DeleteRequest(GracePeriodSeconds: 0), Context()).Event);
    }

    [Fact]
    public void A_grace_0_delete_of_a_terminating_pod_with_finalizers_lets_it_go_with_the_last_finalizer()
    {
        var pod = Pod();
        pod["spec"]!["nodeName"] = "n1";
        pod.Metadata()["finalizers"] = new JsonArray("example.com/keep");
        var state = Created(PodKind.Instance, pod);
        state = state.Then(state.Delete(new DeleteRequest(), Context()));
        state = state.Then(state.Delete(new DeleteRequest(GracePeriodSeconds: 0), Context()));
        Assert.Equal(0, state.Current!.Metadata()["deletionGracePeriodSeconds"].GetLong());
        Assert.IsType<ResourceDeleted>(state.Patch(PatchType.Merge, Json("""{"metadata":{"finalizers":null}}"""), Subresource.Main, Context()).Event);
    }

    [Fact]
    public void Delete_preconditions_on_uid_and_resourceVersion()
    {
        var state = Created(PodKind.Instance, Pod());

        var uid = state.Delete(new DeleteRequest(PreconditionUid: "other"), Context()).Error!;
        Assert.Equal(409, uid.Code);
        Assert.Contains("Precondition failed: UID in precondition: other, UID in object meta: uid-1", uid.Message, StringComparison.Ordinal);

        var rv = state.Delete(new DeleteRequest(PreconditionResourceVersion: "9"), Context()).Error!;
        Assert.Equal(409, rv.Code);
        Assert.Contains("Precondition failed: ResourceVersion in precondition: 9, ResourceVersion in object meta: 1", rv.Message, StringComparison.Ordinal);

        Assert.IsType<ResourceDeleted>(state.Delete(new DeleteRequest("uid-1", "1"), Context()).Event);
    }
}

public class ResourceStateBindTests
{
    [Fact]
    public void Bind_sets_the_node_name_and_the_PodScheduled_condition()
    {
        var state = Created(PodKind.Instance, Pod());
        var decision = state.Bind("node-1", Context(now: Now.AddSeconds(3)));
        var updated = Assert.IsType<ResourceUpdated>(decision.Event);
        Assert.Equal("bound", updated.Change);
        Assert.Equal("node-1", updated.Object["spec"]!["nodeName"]!.GetValue<string>());
        var condition = Assert.Single(updated.Object["status"]!["conditions"]!.AsArray())!.AsObject();
        Assert.Equal("PodScheduled", condition.GetString("type"));
        Assert.Equal("True", condition.GetString("status"));
        Assert.Equal("2026-01-02T03:04:08Z", condition.GetString("lastTransitionTime"));
        Assert.Equal("Pending", updated.Object["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(1, updated.Object.Generation());
    }

    [Fact]
    public void Bind_replaces_an_earlier_PodScheduled_condition()
    {
        var state = Created(PodKind.Instance, Pod());
        state = state.Then(state.Patch(PatchType.Merge,
            Json("""{"status":{"conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable"}]}}"""), Subresource.Status, Context()));
        var result = state.Bind("node-1", Context()).Result!;
        var condition = Assert.Single(result["status"]!["conditions"]!.AsArray())!.AsObject();
        Assert.Equal("True", condition.GetString("status"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("node\u0000one")]
    [InlineData("Node_1")]
    public void A_node_name_that_is_not_a_DNS_subdomain_is_Invalid_422_and_nothing_changes(string nodeName)
    {
        var state = Created(PodKind.Instance, Pod());
        var decision = state.Bind(nodeName, Context());
        Assert.Null(decision.Event);
        Assert.Equal(422, decision.Error!.Code);
        Assert.Contains("target.name", decision.Error.Message, StringComparison.Ordinal);
        Assert.Equal(422, state.Bind(new string('n', 300), Context()).Error!.Code);
    }

    [Fact]
    public void A_second_bind_is_Conflict_409()
    {
        var state = Created(PodKind.Instance, Pod());
        state = state.Then(state.Bind("node-1", Context()));
        var error = state.Bind("node-2", Context()).Error!;
        Assert.Equal(409, error.Code);
        Assert.Contains("pod web is already assigned to node \"node-1\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bound_pod_may_not_be_moved_by_an_update()
    {
        var state = Created(PodKind.Instance, Pod());
        state = state.Then(state.Bind("node-1", Context()));
        var error = state.Patch(PatchType.Merge, Json("""{"spec":{"nodeName":"node-2"}}"""), Subresource.Main, Context()).Error!;
        Assert.Equal(422, error.Code);
    }

    [Fact]
    public void Bind_of_a_deleting_pod_is_Conflict()
    {
        var pod = Pod();
        pod.Metadata()["finalizers"] = new JsonArray("example.com/keep");
        var state = Created(PodKind.Instance, pod);
        state = state.Then(state.Delete(new DeleteRequest(), Context()));
        Assert.Equal(409, state.Bind("node-1", Context()).Error!.Code);
    }

    [Fact]
    public void Bind_of_an_absent_pod_is_NotFound()
    {
        Assert.Equal(404, ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, "web")).Bind("n", Context()).Error!.Code);
    }
}
