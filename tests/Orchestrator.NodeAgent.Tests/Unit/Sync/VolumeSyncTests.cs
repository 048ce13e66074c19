using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.ConfigMaps;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>Pod volumes through the syncer: set up before the sandbox, FailedMount until the ConfigMap appears, files refreshed, removed with the pod.</summary>
public sealed class VolumeSyncTests : IDisposable
{
    private readonly SyncerHarness _h = new();

    public void Dispose() => _h.Dispose();

    private JsonObject AddPodWithConfig()
    {
        var pod = _h.AddPod("cfg", container: new JsonObject
        {
            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "cfg", ["mountPath"] = "/etc/app" }, new JsonObject { ["name"] = "scratch", ["mountPath"] = "/scratch" }),
        });
        pod["spec"]!["volumes"] = JsonNode.Parse("""[{"name":"cfg","configMap":{"name":"app"}},{"name":"scratch","emptyDir":{}}]""");
        return _h.Store.Put(Domain.Pods.PodKind.Instance, pod);
    }

    private void PutConfigMap(string value) =>
        _h.Store.Put(ConfigMapKind.Instance, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = SyncerHarness.Ns }, ["data"] = new JsonObject { ["k"] = value } });

    private string FileText(string path) => Encoding.UTF8.GetString(_h.Files.ReadFile($"{SyncerHarness.VolumesRoot}/uid-cfg/volumes/cfg/{path}") ?? []);

    [Fact]
    public async Task A_missing_config_map_holds_the_pod_with_a_failed_mount_event_until_it_appears()
    {
        AddPodWithConfig();
        var outcome = await _h.Sync("cfg");

        Assert.Empty(_h.Runtime.Containers());
        Assert.Equal("ContainerCreating", _h.WaitingReason("cfg"));
        Assert.Contains("configmap \"app\" not found", _h.ContainerStatus("cfg")["state"]!["waiting"]!["message"]!.GetValue<string>());
        var failed = Assert.Single(_h.Store.All("Event"));
        Assert.Equal("FailedMount", failed["reason"]!.GetValue<string>());
        Assert.Equal("MountVolume.SetUp failed for volume \"cfg\" : configmap \"app\" not found", failed["message"]!.GetValue<string>());
        Assert.NotNull(outcome.WakeAt);

        await _h.Sync("cfg");
        Assert.Single(_h.Store.All("Event")); // the same failure is recorded once

        PutConfigMap("one");
        await _h.Sync("cfg");
        var app = Assert.Single(_h.Apps("cfg"));
        Assert.Equal("one", FileText("k"));
        var mounts = _h.Runtime.ConfigOf(app.Id)!.Mounts!;
        Assert.Contains(new Runtime.VolumeMount($"{SyncerHarness.VolumesRoot}/uid-cfg/volumes/cfg", "/etc/app", true), mounts);
        Assert.Contains(new Runtime.VolumeMount($"{SyncerHarness.VolumesRoot}/uid-cfg/volumes/scratch", "/scratch", false), mounts);
    }

    [Fact]
    public async Task A_running_pod_sees_its_config_map_change_on_the_next_refresh_and_its_volumes_go_with_it()
    {
        PutConfigMap("one");
        AddPodWithConfig();
        var outcome = await _h.Sync("cfg");
        Assert.Equal("one", FileText("k"));
        Assert.True(outcome.WakeAt <= _h.Time.GetUtcNow() + TimeSpan.FromSeconds(2), "a pod with projected volumes is refreshed within 2 s");

        PutConfigMap("two");
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await _h.Sync("cfg");
        Assert.Equal("two", FileText("k"));
        Assert.Single(_h.Apps("cfg")); // not restarted

        _h.Store.Remove(Domain.Pods.PodKind.Instance, SyncerHarness.Ns, "cfg");
        await _h.Sync("cfg");
        Assert.Equal(Domain.Volumes.HostPathKind.Missing, _h.Files.KindOf($"{SyncerHarness.VolumesRoot}/uid-cfg"));
    }
}
