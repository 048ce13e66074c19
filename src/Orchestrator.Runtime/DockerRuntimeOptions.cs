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

    /// <summary>
    /// When set, <see cref="Network"/> is this node's own bridge network: created on first use with a
    /// /24 out of this pool (see <see cref="PodNetwork.Candidates"/>); null: <see cref="Network"/>
    /// must exist (the engine's default <c>bridge</c>).
    /// </summary>
    public System.Net.IPNetwork? PodSubnetPool { get; init; }

    /// <summary>Options whose pods go on a bridge network of this node's own, <c>orchestrator-&lt;node&gt;</c>, with a /24 out of <paramref name="pool"/>.</summary>
    public DockerRuntimeOptions WithOwnPodNetwork(System.Net.IPNetwork pool) =>
        this with { Network = PodNetwork.NameFor(NodeName), PodSubnetPool = pool };

    /// <summary>Timeout of one engine request (not of stop, logs following or exec, which have their own).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>How many containers <see cref="IContainerRuntime.ListContainersAsync"/> inspects at once.</summary>
    public int InspectConcurrency { get; init; } = 8;
}
