using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests;

/// <summary>
/// A <see cref="DockerContainerRuntime"/> for one test, working for a node name no other test uses,
/// so everything the test creates carries that node label and is force-removed by it afterwards.
/// </summary>
public abstract class RuntimeTestBase : IAsyncLifetime
{
    public const string Busybox = "orchestrator/busybox:latest";

    /// <summary>Generous: the engine is shared with other engineers' tests on 2 cores.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromMinutes(2));

    protected RuntimeTestBase(ITestOutputHelper output)
    {
        Output = output;
        NodeName = $"test-{Guid.NewGuid().ToString("N")[..10]}";
        Runtime = new DockerContainerRuntime(EngineOptions(NodeName));
    }

    /// <summary>Options for the engine the tests use (<see cref="RealParts.DockerSocket"/>) under <paramref name="nodeName"/>.</summary>
    protected static DockerRuntimeOptions EngineOptions(string nodeName) =>
        new(nodeName) { Endpoint = new Uri("unix://" + RealParts.DockerSocket) };

    protected ITestOutputHelper Output { get; }

    protected string NodeName { get; }

    protected DockerContainerRuntime Runtime { get; }

    /// <summary>Cancelled when the test runs far too long, so a hang fails instead of blocking the run.</summary>
    protected CancellationToken Ct => _testTimeout.Token;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            foreach (var container in await Runtime.ListContainersAsync(new Dictionary<string, string>(), cleanup.Token))
                await Runtime.RemoveContainerAsync(container.Id, cleanup.Token);
        }
        finally
        {
            Runtime.Dispose();
            _testTimeout.Dispose();
        }
    }

    protected static PodIdentity NewPod(string name = "web") => new("default", name, Guid.NewGuid().ToString());

    protected Task<PodSandbox> RunSandboxAsync(PodIdentity pod, params PortMapping[] ports) =>
        Runtime.RunPodSandboxAsync(new PodSandboxConfig(pod, ports), Ct);

    /// <summary>Creates and starts a busybox container in the sandbox; returns its id.</summary>
    protected async Task<string> RunAsync(PodSandbox sandbox, string name, params string[] command)
    {
        var id = await Runtime.CreateContainerAsync(sandbox, new ContainerConfig(name, Busybox, Command: command), Ct);
        await Runtime.StartContainerAsync(id, Ct);
        return id;
    }

    /// <summary>Follows the container's logs until a line satisfies <paramref name="match"/>.</summary>
    protected async Task<LogLine> WaitForLogLineAsync(string containerId, Func<LogLine, bool> match)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Patience);
        await foreach (var line in Runtime.GetLogsAsync(containerId, new LogOptions(Follow: true), timeout.Token))
        {
            if (match(line))
                return line;
        }

        throw new Xunit.Sdk.XunitException($"container {containerId[..12]} stopped before writing the expected line");
    }

    /// <summary>Waits for the container to have exited, following its logs to the end (the engine ends them on exit).</summary>
    protected async Task<ContainerDetails> WaitForExitAsync(string containerId)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Patience);
        await foreach (var _ in Runtime.GetLogsAsync(containerId, new LogOptions(Follow: true, TailLines: 0), timeout.Token))
        {
        }

        return await EventuallyAsync(
            async () => await Runtime.InspectContainerAsync(containerId, Ct) is { Status.State: ContainerState.Exited } d ? d : null,
            "the container to be reported as exited");
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, failing after <see cref="Patience"/>; the engine and the pod may refuse meanwhile.</summary>
    protected Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what)
        where T : class =>
        Poll.For(probe, Patience, what, every: TimeSpan.FromMilliseconds(50),
            tolerate: e => e is HttpRequestException or IOException or ContainerRuntimeException, cancellationToken: Ct);

    protected static Dictionary<string, string> PodFilter(PodIdentity pod) => new() { [ContainerLabels.PodUid] = pod.Uid };
}
