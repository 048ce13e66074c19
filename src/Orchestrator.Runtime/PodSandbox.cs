namespace Orchestrator.Runtime;

/// <summary>Which pod a sandbox or container belongs to.</summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Name">The pod's name.</param>
/// <param name="Uid">The pod's uid; tells apart pods that reuse a name.</param>
public sealed record PodIdentity(string Namespace, string Name, string Uid)
{
    public override string ToString() => $"{Namespace}/{Name} ({Uid})";
}

/// <summary>Transport protocol of a published port.</summary>
public enum PortProtocol
{
    Tcp,
    Udp,
    Sctp,
}

/// <summary>A container port published on the node (a Kubernetes <c>hostPort</c>).</summary>
/// <param name="ContainerPort">The port the process listens on inside the pod (1-65535).</param>
/// <param name="HostPort">The port on the node (1-65535).</param>
/// <param name="Protocol">The protocol.</param>
/// <param name="HostIp">The node address to bind; null or empty binds all addresses.</param>
public sealed record PortMapping(int ContainerPort, int HostPort, PortProtocol Protocol = PortProtocol.Tcp, string? HostIp = null);

/// <summary>What <see cref="IContainerRuntime.RunPodSandboxAsync"/> needs to start a pod's sandbox.</summary>
/// <param name="Pod">The pod.</param>
/// <param name="PortMappings">The host ports of all the pod's containers: they are published on the sandbox, which owns the network.</param>
/// <param name="Labels">Extra labels (e.g. the pod's own labels); the runtime's <see cref="ContainerLabels"/> win over these.</param>
/// <param name="Attempt">How many sandboxes this pod had on this node before (0 for the first); part of the engine's container name.</param>
/// <param name="Dns">
/// The resolv.conf of the pod (nameservers, search path, options), shared by its containers, which
/// join the sandbox's network; null: the engine's default, derived from the host's.
/// </param>
public sealed record PodSandboxConfig(
    PodIdentity Pod,
    IReadOnlyList<PortMapping> PortMappings,
    IReadOnlyDictionary<string, string>? Labels = null,
    int Attempt = 0,
    Orchestrator.Domain.Dns.ResolverConfig? Dns = null);

/// <summary>
/// A running sandbox started ahead of any pod (a warm spare), free to be given to one pod: the pod
/// starts without waiting for a sandbox's network to come up.
/// </summary>
/// <param name="Id">The engine's id of the sandbox container.</param>
/// <param name="PodIp">Its IP address on the engine's bridge network, the IP of the pod it is given to.</param>
public sealed record SpareSandbox(string Id, string PodIp)
{
    /// <summary>The sandbox as the given pod's (only the pod's app containers, created with it, make the claim durable).</summary>
    public PodSandbox For(PodIdentity pod) => new(Id, pod, PodIp);
}

/// <summary>A running sandbox: the container that owns a pod's network namespace.</summary>
/// <param name="Id">The engine's id of the sandbox container.</param>
/// <param name="Pod">The pod it belongs to.</param>
/// <param name="PodIp">The pod's IP address on the engine's bridge network.</param>
public sealed record PodSandbox(string Id, PodIdentity Pod, string PodIp)
{
    /// <summary>
    /// The sandbox a listed container stands for, e.g. to pick up running pods after the node agent
    /// restarted; null unless it is a sandbox with pod labels and an IP address (a stopped one has none).
    /// </summary>
    public static PodSandbox? FromStatus(ContainerStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status is { Kind: ContainerKind.Sandbox, Pod: { } pod, IpAddress: { Length: > 0 } ip }
            ? new PodSandbox(status.Id, pod, ip)
            : null;
    }
}
