using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Domain.Volumes;
using Orchestrator.NodeAgent.Volumes;
using Orchestrator.TestSupport.Volumes;

namespace Orchestrator.NodeAgent.Tests.Unit.Volumes;

/// <summary>Setting up, refreshing, mounting and removing one pod's volumes on the in-memory file system.</summary>
public sealed class PodVolumesTests
{
    private const string Root = "/data/pods";
    private readonly InMemoryVolumeFileSystem _fs = new();
    private readonly PodVolumes _volumes;

    public PodVolumesTests() => _volumes = new PodVolumes(_fs, Root, new FakeTimeProvider());

    private static JsonObject Pod(string volumes, string mounts = "[]") => JsonNode.Parse($$$"""
        {"metadata":{"name":"p","namespace":"default","uid":"u1","labels":{"app":"web"}},
         "spec":{"volumes":{{{volumes}}},"containers":[{"name":"c","image":"busybox","volumeMounts":{{{mounts}}}}]}}
        """)!.AsObject();

    private static JsonObject ConfigMap(string value) => JsonNode.Parse($$$"""{"metadata":{"name":"app"},"data":{"k":"{{{value}}}"}}""")!.AsObject();

    [Fact]
    public void An_empty_dir_is_a_shared_folder_and_medium_memory_mounts_a_tmpfs_of_the_size_limit()
    {
        var pod = Pod("""[{"name":"scratch","emptyDir":{}},{"name":"ram","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}}]""");
        _volumes.SetUp(pod, new Dictionary<VolumeObjectRef, JsonObject>());
        _volumes.SetUp(pod, new Dictionary<VolumeObjectRef, JsonObject>()); // again: mounted once
        Assert.Equal(HostPathKind.Directory, _fs.KindOf("/data/pods/u1/volumes/scratch"));
        Assert.Equal(64L * 1024 * 1024, Assert.Single(_fs.Mounts, m => m.Key == "/data/pods/u1/volumes/ram").Value);

        _volumes.TearDown("u1");
        Assert.Empty(_fs.Mounts);
        Assert.Equal(HostPathKind.Missing, _fs.KindOf("/data/pods/u1"));
    }

    [Fact]
    public void Host_paths_are_checked_and_created_by_type_and_never_removed_with_the_pod()
    {
        _fs.AddSpecial("/run/app.sock", HostPathKind.Socket);
        var pod = Pod("""[{"name":"d","hostPath":{"path":"/srv/new","type":"DirectoryOrCreate"}},{"name":"f","hostPath":{"path":"/srv/new/log","type":"FileOrCreate"}},{"name":"s","hostPath":{"path":"/run/app.sock","type":"Socket"}}]""");
        _volumes.SetUp(pod, new Dictionary<VolumeObjectRef, JsonObject>());
        Assert.Equal(HostPathKind.File, _fs.KindOf("/srv/new/log"));
        _volumes.TearDown("u1");
        Assert.Equal(HostPathKind.Directory, _fs.KindOf("/srv/new"));

        var wrong = Pod("""[{"name":"d","hostPath":{"path":"/srv/new/log","type":"Directory"}}]""");
        var error = Assert.Throws<VolumeSetupException>(() => _volumes.SetUp(wrong, new Dictionary<VolumeObjectRef, JsonObject>()));
        Assert.Equal("MountVolume.SetUp failed for volume \"d\" : hostPath type check failed: /srv/new/log is not a directory", error.Message);
    }

    [Fact]
    public void A_config_map_volume_follows_its_object_and_a_missing_one_is_a_failed_mount()
    {
        var pod = Pod("""[{"name":"cfg","configMap":{"name":"app"}}]""");
        var error = Assert.Throws<VolumeSetupException>(() => _volumes.SetUp(pod, new Dictionary<VolumeObjectRef, JsonObject>()));
        Assert.Equal("MountVolume.SetUp failed for volume \"cfg\" : configmap \"app\" not found", error.Message);

        var source = new VolumeObjectRef("ConfigMap", "app");
        _volumes.SetUp(pod, new Dictionary<VolumeObjectRef, JsonObject> { [source] = ConfigMap("one") });
        Assert.Equal("one", Encoding.UTF8.GetString(_fs.ReadFile("/data/pods/u1/volumes/cfg/k")!));
        _volumes.SetUp(pod, new Dictionary<VolumeObjectRef, JsonObject> { [source] = ConfigMap("two") });
        Assert.Equal("two", Encoding.UTF8.GetString(_fs.ReadFile("/data/pods/u1/volumes/cfg/k")!));
    }

    [Fact]
    public void Mounts_bind_each_volume_at_its_path_with_sub_paths_and_projected_volumes_read_only()
    {
        var pod = Pod("""[{"name":"scratch","emptyDir":{}},{"name":"cfg","configMap":{"name":"app"}},{"name":"host","hostPath":{"path":"/srv"}}]""",
            """[{"name":"scratch","mountPath":"/work","subPath":"a/b"},{"name":"cfg","mountPath":"/etc/k","subPath":"k"},{"name":"host","mountPath":"/srv","readOnly":true},{"name":"scratch","mountPath":"/all"}]""");
        _volumes.SetUp(pod, new Dictionary<VolumeObjectRef, JsonObject> { [new VolumeObjectRef("ConfigMap", "app")] = ConfigMap("x") });
        Assert.Equal(HostPathKind.Directory, _fs.KindOf("/data/pods/u1/volumes/scratch/a/b")); // a missing subPath folder is made
        var container = Domain.Pods.PodKind.Typed(pod).Spec.Containers[0];
        var mounts = VolumeMounts.For(container, _volumes.PathsOf(pod), new HashSet<string> { "cfg" });
        Assert.Equal(
        [
            new Runtime.VolumeMount("/data/pods/u1/volumes/scratch/a/b", "/work", false),
            new Runtime.VolumeMount("/data/pods/u1/volumes/cfg/k", "/etc/k", true),
            new Runtime.VolumeMount("/srv", "/srv", true),
            new Runtime.VolumeMount("/data/pods/u1/volumes/scratch", "/all", false),
        ], mounts);
        Assert.Throws<VolumeSetupException>(() => VolumeMounts.For(new V1Container { Name = "x", VolumeMounts = [new V1VolumeMount { Name = "nope", MountPath = "/n" }] }, _volumes.PathsOf(pod), new HashSet<string>()));
    }
}
