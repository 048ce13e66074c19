namespace Orchestrator.Runtime;

/// <summary>Settings of <see cref="DockerContainerRuntime"/>. Immutable; copy with <c>with</c>.</summary>
/// <param name="NodeName">The node this runtime works for; stamped on every container as <see cref="ContainerLabels.Node"/>.</param>
public sealed record DockerRuntimeOptions(string NodeName)
{
    /// <summary>The engine's endpoint, <c>unix:///var/run/docker.sock</c> by default.</summary>
    public Uri Endpoint { get; init; } = new("unix:///var/run/docker.sock");

    /// <summary>The image of pod sandboxes: a process that waits for SIGTERM (built by scripts/setup.sh).</summary>
    public string SandboxImage { get; init; } = "orchestrator/pause:latest";

    /// <summary>The engine network pods are attached to; pods reach each other by pod IP on it.</summary>
    public string Network { get; init; } = "bridge";

    /// <summary>Timeout of one engine request (not of stop, logs following or exec, which have their own).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>How many containers <see cref="IContainerRuntime.ListContainersAsync"/> inspects at once.</summary>
    public int InspectConcurrency { get; init; } = 8;
}
