using System.Text.Json.Nodes;
using Orchestrator.Runtime;
using Orchestrator.TestSupport.Runtime;

namespace Orchestrator.NodeAgent.Tests.Unit.Sync;

/// <summary>Containers that cannot be pulled, created or started, and sandboxes that are slow or fail, as the syncer reports and retries them.</summary>
public sealed class StartFailureTests : IDisposable
{
    private readonly SyncerHarness _h = new();

    public void Dispose() => _h.Dispose();

    private string? WaitingMessage(string name) => _h.ContainerStatus(name)["state"]?["waiting"]?["message"]?.GetValue<string>();

    [Fact]
    public async Task A_missing_image_is_ErrImagePull_then_ImagePullBackOff_and_runs_once_it_can_be_pulled()
    {
        _h.AddPod("pull", container: new JsonObject { ["image"] = "orchestrator/missing:1" });

        var outcome = await _h.Sync("pull");
        Assert.Equal("ErrImagePull", _h.WaitingReason("pull"));
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromSeconds(1), outcome.WakeAt);
        Assert.Empty(_h.Apps("pull"));

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await _h.Sync("pull");
        Assert.Equal("ImagePullBackOff", _h.WaitingReason("pull"));
        Assert.Contains("Back-off pulling image \"orchestrator/missing:1\"", WaitingMessage("pull"), StringComparison.Ordinal);

        _h.Runtime.AddToRegistry("orchestrator/missing:1");
        _h.Time.Advance(TimeSpan.FromSeconds(9));
        await _h.Sync("pull");
        Assert.Equal(ContainerState.Running, _h.Current("pull").State);
        Assert.Null(_h.WaitingReason("pull"));
    }

    [Theory]
    [InlineData("configMapKeyRef", "ConfigMap", "configmap \"cfg\" not found")]
    [InlineData("secretKeyRef", "Secret", "secret \"cfg\" not found")]
    public async Task A_missing_object_of_an_env_reference_is_CreateContainerConfigError_until_it_appears(string reference, string kind, string message)
    {
        _h.AddPod("env", container: new JsonObject
        {
            ["env"] = new JsonArray(new JsonObject { ["name"] = "V", ["valueFrom"] = new JsonObject { [reference] = new JsonObject { ["name"] = "cfg", ["key"] = "k" } } }),
        });
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var outcome = await _h.Sync("env");
            Assert.Equal("CreateContainerConfigError", _h.WaitingReason("env"));
            Assert.Equal(message, WaitingMessage("env"));
            Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromSeconds(2), outcome.WakeAt); // no growing backoff
            Assert.Empty(_h.Apps("env"));
            _h.Time.Advance(TimeSpan.FromSeconds(2));
        }

        Domain.Resources.ResourceKind objectKind = kind == "Secret" ? Domain.Secrets.SecretKind.Instance : Domain.ConfigMaps.ConfigMapKind.Instance;
        _h.Store.Put(objectKind, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "cfg", ["namespace"] = SyncerHarness.Ns },
            ["data"] = new JsonObject { ["k"] = kind == "Secret" ? Convert.ToBase64String("v"u8.ToArray()) : "v" },
        });
        await _h.Sync("env");
        Assert.Equal(ContainerState.Running, _h.Current("env").State);
        Assert.Null(_h.WaitingReason("env"));
    }

    [Fact]
    public async Task An_engine_that_refuses_the_container_is_CreateContainerError()
    {
        _h.Runtime.Program("app", new ContainerProgram { CreateError = "device or resource busy" });
        _h.AddPod("refused");

        await _h.Sync("refused");

        Assert.Equal("CreateContainerError", _h.WaitingReason("refused"));
        Assert.Contains("device or resource busy", WaitingMessage("refused"), StringComparison.Ordinal);
        Assert.Empty(_h.Apps("refused"));
    }

    [Fact]
    public async Task Image_pull_policy_Never_with_a_missing_image_is_ErrImageNeverPull()
    {
        _h.AddPod("never", container: new JsonObject { ["image"] = "orchestrator/absent:1", ["imagePullPolicy"] = "Never" });

        await _h.Sync("never");

        Assert.Equal("ErrImageNeverPull", _h.WaitingReason("never"));
    }

    [Fact]
    public async Task A_command_that_cannot_start_is_RunContainerError_then_CrashLoopBackOff_with_the_engine_message()
    {
        _h.Runtime.Program("app", new ContainerProgram { StartError = "exec: \"/no/such/binary\": stat /no/such/binary: no such file or directory" });
        _h.AddPod("nocmd");

        await _h.Sync("nocmd");
        Assert.Equal("RunContainerError", _h.WaitingReason("nocmd"));
        Assert.Contains("/no/such/binary: no such file", WaitingMessage("nocmd"), StringComparison.Ordinal);

        await _h.Sync("nocmd");
        Assert.Equal("RunContainerError", _h.WaitingReason("nocmd"));
        Assert.Contains("/no/such/binary: no such file", WaitingMessage("nocmd"), StringComparison.Ordinal);
        Assert.Equal(128, _h.ContainerStatus("nocmd")["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("nocmd");
        await _h.Sync("nocmd");
        Assert.Equal("CrashLoopBackOff", _h.WaitingReason("nocmd"));
        Assert.Equal(1, _h.RestartCount("nocmd"));
        Assert.Equal(128, _h.ContainerStatus("nocmd")["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_command_that_cannot_start_fails_a_Never_pod_instead_of_succeeding()
    {
        _h.Runtime.Program("app", new ContainerProgram { StartError = "exec: \"nope\": executable file not found in $PATH" });
        _h.AddPod("nocmd-never", restartPolicy: "Never");

        await _h.Sync("nocmd-never");
        await _h.Sync("nocmd-never");

        Assert.Equal("Failed", _h.Phase("nocmd-never"));
        var terminated = _h.ContainerStatus("nocmd-never")["state"]!["terminated"]!;
        Assert.Equal("StartError", terminated["reason"]!.GetValue<string>());
        Assert.Equal(128, terminated["exitCode"]!.GetValue<int>());
        Assert.Contains("executable file not found", terminated["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_a_slow_sandbox_starts_the_app_containers_are_created_and_start_once_it_runs()
    {
        var network = new TaskCompletionSource();
        _h.Runtime.SandboxStartGate = () => network.Task;
        _h.AddPod("slow");

        var sync = _h.Sync("slow");
        Assert.False(sync.IsCompleted);
        var ahead = Assert.Single(_h.Apps("slow"));
        Assert.Equal(ContainerState.Created, ahead.State);

        network.SetResult();
        await sync.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ahead.Id, _h.Current("slow").Id);
        Assert.Equal(ContainerState.Running, _h.Current("slow").State);
        Assert.Equal("Running", _h.Phase("slow"));
        Assert.Equal(0, _h.RestartCount("slow"));
    }

    [Fact]
    public async Task A_sandbox_that_fails_holds_the_pod_in_backoff_then_is_tried_again()
    {
        var fail = true;
        _h.Runtime.SandboxStartError = _ => fail ? "failed to set up the pod network" : null;
        _h.AddPod("net");

        var outcome = await _h.Sync("net");
        Assert.Equal("CreatePodSandboxError", _h.WaitingReason("net"));
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromSeconds(10), outcome.WakeAt);
        // The containers created ahead of the failed sandbox are removed with it, on the next sync.
        fail = false;
        await _h.Sync("net");
        Assert.Equal("CreatePodSandboxError", _h.WaitingReason("net"));

        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await _h.Sync("net");
        Assert.Equal("Running", _h.Phase("net"));
        Assert.Single(_h.Apps("net"));
    }

    [Fact]
    public async Task A_host_port_taken_by_another_pod_is_CreatePodSandboxError()
    {
        var port = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 80, ["hostPort"] = 18080 }) };
        _h.AddPod("first", container: port);
        _h.AddPod("second", container: (JsonObject)port.DeepClone());

        await _h.Sync("first");
        await _h.Sync("second");

        Assert.Equal("Running", _h.Phase("first"));
        Assert.Equal("CreatePodSandboxError", _h.WaitingReason("second"));
        Assert.Contains("18080", _h.ContainerStatus("second")["state"]!["waiting"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
