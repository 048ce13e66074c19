using Orchestrator.Runtime;

namespace Orchestrator.Runtime.Tests;

/// <summary>Without an engine the runtime fails with a reason, not with the HTTP stack's exceptions.</summary>
public sealed class EngineUnavailableTests
{
    [Fact]
    public async Task An_engine_that_is_not_there_is_RuntimeUnavailable()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"no-engine-{Guid.NewGuid():N}.sock");
        using var runtime = new DockerContainerRuntime(new DockerRuntimeOptions("node-1") { Endpoint = new Uri($"unix://{socket}") });

        var info = await Assert.ThrowsAsync<ContainerRuntimeException>(() => runtime.GetInfoAsync(CancellationToken.None));
        var list = await Assert.ThrowsAsync<ContainerRuntimeException>(() => runtime.ListContainersAsync(new Dictionary<string, string>(), CancellationToken.None));

        Assert.Equal(RuntimeErrorReasons.RuntimeUnavailable, info.Reason);
        Assert.Equal(RuntimeErrorReasons.RuntimeUnavailable, list.Reason);
        Assert.Contains("cannot reach the engine", info.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_need_a_node_name()
    {
        Assert.Throws<ArgumentException>(() => new DockerContainerRuntime(new DockerRuntimeOptions(" ")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DockerContainerRuntime(new DockerRuntimeOptions("n") { InspectConcurrency = 0 }));
    }
}
