using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests;

public sealed class BadInputTests(ITestOutputHelper output) : RuntimeTestBase(output)
{
    private const string Missing = "orchestrator/does-not-exist:1.0";

    [DockerFact]
    public async Task A_present_image_needs_no_pull()
    {
        await Runtime.EnsureImageAsync(Busybox, ImagePullPolicy.IfNotPresent, Ct);
        await Runtime.EnsureImageAsync(Busybox, ImagePullPolicy.Never, Ct);
        await Runtime.EnsureImageAsync("orchestrator/busybox", ImagePullPolicy.Never, Ct);
    }

    [DockerFact]
    public async Task A_missing_image_under_Never_is_ErrImageNeverPull()
    {
        var e = await Assert.ThrowsAsync<ImagePullException>(() => Runtime.EnsureImageAsync(Missing, ImagePullPolicy.Never, Ct));

        Output.WriteLine(e.Message);
        Assert.Equal(RuntimeErrorReasons.ErrImageNeverPull, e.Reason);
        Assert.Equal(Missing, e.Image);
        Assert.Contains("not present with pull policy of Never", e.Message, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task A_missing_image_that_cannot_be_pulled_is_ErrImagePull_with_the_engines_message()
    {
        var e = await Assert.ThrowsAsync<ImagePullException>(() => Runtime.EnsureImageAsync(Missing, ImagePullPolicy.IfNotPresent, Ct));

        Output.WriteLine(e.Message);
        Assert.Equal(RuntimeErrorReasons.ErrImagePull, e.Reason);
        Assert.False(string.IsNullOrWhiteSpace(e.EngineMessage));
        Assert.Contains(e.EngineMessage!, e.Message, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task Always_pulls_even_a_present_image_and_fails_without_a_registry()
    {
        var e = await Assert.ThrowsAsync<ImagePullException>(() => Runtime.EnsureImageAsync(Busybox, ImagePullPolicy.Always, Ct));

        Assert.Equal(RuntimeErrorReasons.ErrImagePull, e.Reason);
    }

    [DockerFact]
    public async Task A_malformed_image_name_is_InvalidImageName()
    {
        var blank = await Assert.ThrowsAsync<ImagePullException>(() => Runtime.EnsureImageAsync("busy box", ImagePullPolicy.IfNotPresent, Ct));
        Assert.Equal(RuntimeErrorReasons.InvalidImageName, blank.Reason);

        var upper = await Assert.ThrowsAsync<ImagePullException>(() => Runtime.EnsureImageAsync("Orchestrator/BusyBox", ImagePullPolicy.IfNotPresent, Ct));
        Output.WriteLine(upper.Message);
        Assert.Equal(RuntimeErrorReasons.InvalidImageName, upper.Reason);
    }

    [DockerFact]
    public async Task Creating_from_a_missing_image_is_ImageNotFound()
    {
        var sandbox = await RunSandboxAsync(NewPod());

        var e = await Assert.ThrowsAsync<ImageNotFoundException>(() => Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Missing), Ct));

        Output.WriteLine(e.Message);
        Assert.Equal(RuntimeErrorReasons.ImageNotFound, e.Reason);
        Assert.Equal(Missing, e.Image);
    }

    [DockerFact]
    public async Task A_command_that_does_not_exist_is_RunContainerError()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox, Command: ["no-such-command", "--flag"]), Ct);

        var e = await Assert.ThrowsAsync<StartContainerException>(() => Runtime.StartContainerAsync(id, Ct));

        Output.WriteLine(e.Message);
        Assert.Equal(RuntimeErrorReasons.RunContainerError, e.Reason);
        Assert.Contains("exec: \"no-such-command\": executable file not found in $PATH", e.Message, StringComparison.Ordinal);
        Assert.Equal(ContainerState.Created, (await Runtime.InspectContainerAsync(id, Ct)).Status.State);
    }

    [DockerFact]
    public async Task An_absolute_path_that_does_not_exist_is_RunContainerError()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox, Command: ["/opt/app/run"]), Ct);

        var e = await Assert.ThrowsAsync<StartContainerException>(() => Runtime.StartContainerAsync(id, Ct));

        Assert.Contains("/opt/app/run", e.Message, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task A_directory_is_not_a_command()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox, Command: ["/www"]), Ct);

        await Assert.ThrowsAsync<StartContainerException>(() => Runtime.StartContainerAsync(id, Ct));
    }

    [DockerFact]
    public async Task A_memory_limit_below_the_engines_minimum_is_CreateContainerError()
    {
        var sandbox = await RunSandboxAsync(NewPod());

        var e = await Assert.ThrowsAsync<CreateContainerException>(() =>
            Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox, MemoryLimitBytes: 4L * 1024 * 1024), Ct));

        Output.WriteLine(e.Message);
        Assert.Equal(RuntimeErrorReasons.CreateContainerError, e.Reason);
        Assert.Contains("Minimum memory limit", e.EngineMessage, StringComparison.OrdinalIgnoreCase);
    }

    [DockerFact]
    public async Task A_second_container_with_the_same_name_and_restart_count_is_CreateContainerError()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox), Ct);

        var e = await Assert.ThrowsAsync<CreateContainerException>(() => Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox), Ct));

        Output.WriteLine(e.Message);
        Assert.Contains("already in use", e.EngineMessage, StringComparison.Ordinal);
        await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox, RestartCount: 1), Ct);
    }

    [DockerFact]
    public async Task Arguments_the_runtime_can_judge_itself_are_refused_before_the_engine_sees_them()
    {
        var sandbox = await RunSandboxAsync(NewPod());

        await Assert.ThrowsAsync<ArgumentException>(() => Runtime.CreateContainerAsync(sandbox, new ContainerConfig("", Busybox), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", " "), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox, CpuLimitMillicores: 0), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Runtime.RunPodSandboxAsync(new PodSandboxConfig(NewPod(), [new PortMapping(80, 70000)]), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Runtime.RunPodSandboxAsync(new PodSandboxConfig(new PodIdentity("default", "", "uid"), []), Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Runtime.ExecAsync(sandbox.Id, ["true"], TimeSpan.Zero, Ct));
    }

    [DockerFact]
    public async Task A_missing_sandbox_image_fails_the_sandbox_with_a_hint()
    {
        using var runtime = new DockerContainerRuntime(EngineOptions(NodeName) with { SandboxImage = Missing });

        var e = await Assert.ThrowsAsync<PodSandboxException>(() => runtime.RunPodSandboxAsync(new PodSandboxConfig(NewPod(), []), Ct));

        Output.WriteLine(e.Message);
        Assert.Equal(RuntimeErrorReasons.CreatePodSandboxError, e.Reason);
        Assert.Contains("scripts/setup.sh", e.Message, StringComparison.Ordinal);
        Assert.IsType<ImagePullException>(e.InnerException);
    }
}
