using System.Text.Json.Nodes;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Validation;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

/// <summary>A pod's volumes and volume mounts are validated as Kubernetes does: 422 naming the field.</summary>
public sealed class VolumeValidationTests
{
    private static JsonObject Pod(string volumes, string mounts = "[]") =>
        Json($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"volumes":{{{volumes}}},"containers":[{"name":"c","image":"busybox","volumeMounts":{{{mounts}}}}]}}""");

    private static List<FieldError> Errors(JsonObject pod) => PodKind.Instance.Validate(pod).ToList();

    [Fact]
    public void Every_supported_source_with_its_fields_is_valid()
    {
        var pod = Pod("""
            [{"name":"scratch","emptyDir":{}},
             {"name":"ram","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}},
             {"name":"host","hostPath":{"path":"/var/log","type":"DirectoryOrCreate"}},
             {"name":"cfg","configMap":{"name":"app","items":[{"key":"a","path":"conf/a.txt","mode":256}],"defaultMode":420,"optional":true}},
             {"name":"sec","secret":{"secretName":"db","defaultMode":256}},
             {"name":"info","downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},{"path":"app","fieldRef":{"fieldPath":"metadata.labels['app']"}}]}},
             {"name":"all","projected":{"sources":[{"configMap":{"name":"app"}},{"secret":{"name":"db"}},{"downwardAPI":{"items":[{"path":"name","fieldRef":{"fieldPath":"metadata.name"}}]}}]}}]
            """, """[{"name":"scratch","mountPath":"/scratch"},{"name":"cfg","mountPath":"/etc/app.conf","subPath":"conf/a.txt","readOnly":true}]""");
        Assert.Empty(Errors(pod));
        Assert.Null(CreateError(PodKind.Instance, pod));
    }

    [Fact]
    public void Volume_names_are_required_unique_labels_and_a_volume_has_exactly_one_known_source()
    {
        var errors = Errors(Pod("""[{"emptyDir":{}},{"name":"a","emptyDir":{}},{"name":"a","emptyDir":{}},{"name":"Bad_Name","emptyDir":{}},{"name":"none"},{"name":"two","emptyDir":{},"hostPath":{"path":"/x"}},{"name":"pvc","persistentVolumeClaim":{"claimName":"c"}}]"""));
        Assert.Contains(errors, e => e.Field == "spec.volumes[0].name" && e.Type == FieldErrorType.Required);
        Assert.Contains(errors, e => e.Field == "spec.volumes[2].name" && e.Type == FieldErrorType.Duplicate);
        Assert.Contains(errors, e => e.Field == "spec.volumes[3].name" && e.Type == FieldErrorType.Invalid);
        Assert.Contains(errors, e => e.Field == "spec.volumes[4]" && e.Message.Contains("must specify a volume type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "spec.volumes[5].hostPath" && e.Message.Contains("may not specify more than 1 volume type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "spec.volumes[6].persistentVolumeClaim" && e.Type == FieldErrorType.Forbidden);
    }

    [Fact]
    public void Mounts_must_name_an_existing_volume_at_a_unique_absolute_path_with_a_relative_sub_path()
    {
        var errors = Errors(Pod("""[{"name":"a","emptyDir":{}}]""",
            """[{"name":"missing","mountPath":"/m"},{"name":"a","mountPath":"relative"},{"name":"a","mountPath":"/x"},{"name":"a","mountPath":"/x/"},{"name":"a","mountPath":"/y","subPath":"../escape"},{"name":"a","mountPath":"/z","subPath":"/abs"}]"""));
        var missing = Assert.Single(errors, e => e.Field == "spec.containers[0].volumeMounts[0].name");
        Assert.Equal("spec.containers[0].volumeMounts[0].name: Not found: \"missing\"", missing.Message);
        Assert.Equal("FieldValueNotFound", missing.Reason);
        Assert.Contains(errors, e => e.Field == "spec.containers[0].volumeMounts[1].mountPath");
        Assert.Contains(errors, e => e.Field == "spec.containers[0].volumeMounts[3].mountPath" && e.Message.Contains("must be unique", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "spec.containers[0].volumeMounts[4].subPath");
        Assert.Contains(errors, e => e.Field == "spec.containers[0].volumeMounts[5].subPath");
        Assert.Contains("spec.containers[0].volumeMounts[0].name", CreateErrorFields(PodKind.Instance, Pod("""[]""", """[{"name":"missing","mountPath":"/m"}]""")));
    }

    [Fact]
    public void Source_fields_are_checked()
    {
        var errors = Errors(Pod("""
            [{"name":"a","emptyDir":{"medium":"Disk","sizeLimit":"lots"}},
             {"name":"b","hostPath":{"path":"relative","type":"Pipe"}},
             {"name":"c","configMap":{"items":[{"path":"../x"},{"key":"k","path":"p","mode":1000}]}},
             {"name":"d","secret":{"defaultMode":-1}},
             {"name":"e","downwardAPI":{"items":[{"path":"x","fieldRef":{"fieldPath":"spec.nodeName"}},{"path":"y","resourceFieldRef":{"resource":"limits.cpu"}}]}},
             {"name":"f","projected":{"sources":[{"serviceAccountToken":{"path":"token"}},{}]}}]
            """));
        string[] expected =
        [
            "spec.volumes[0].emptyDir.medium", "spec.volumes[0].emptyDir.sizeLimit",
            "spec.volumes[1].hostPath.path", "spec.volumes[1].hostPath.type",
            "spec.volumes[2].configMap.name", "spec.volumes[2].configMap.items[0].key", "spec.volumes[2].configMap.items[0].path", "spec.volumes[2].configMap.items[1].mode",
            "spec.volumes[3].secret.secretName", "spec.volumes[3].secret.defaultMode",
            "spec.volumes[4].downwardAPI.items[0].fieldRef.fieldPath", "spec.volumes[4].downwardAPI.items[1].resourceFieldRef",
            "spec.volumes[5].projected.sources[0].serviceAccountToken", "spec.volumes[5].projected.sources[1]",
        ];
        foreach (var field in expected) Assert.Contains(errors, e => e.Field == field);
    }
}
