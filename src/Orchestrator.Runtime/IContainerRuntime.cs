namespace Orchestrator.Runtime;

/// <summary>
/// The container runtime a node agent drives: a small, Kubernetes-CRI-like surface over one
/// container engine. A pod is a sandbox (an infra container owning the pod's network namespace
/// and host ports) plus app containers joined to it.
/// </summary>
/// <remarks>
/// <para>
/// An instance works for one node: everything it creates carries <see cref="ContainerLabels.Node"/>
/// with that node's name and every listing is limited to it, so several simulated nodes can share
/// one engine. Ids are the engine's container ids.
/// </para>
/// <para>
/// Failures are <see cref="ContainerRuntimeException"/>s whose <see cref="ContainerRuntimeException.Reason"/>
/// names the situation (<see cref="RuntimeErrorReasons"/>); argument mistakes are
/// <see cref="ArgumentException"/>s; cancellation is <see cref="OperationCanceledException"/>.
/// </para>
/// </remarks>
public interface IContainerRuntime
{
    /// <summary>The engine's version and the node's capacity, for node registration.</summary>
    Task<RuntimeInfo> GetInfoAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The network this node's pod sandboxes are attached to, created first when this node manages
    /// one of its own (<see cref="DockerRuntimeOptions.PodSubnetPool"/>); answered from memory after
    /// the first call. Its <see cref="PodNetwork.Gateway"/> is the host as the node's pods reach it.
    /// </summary>
    Task<PodNetwork> GetPodNetworkAsync(CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="image"/> present according to <paramref name="pullPolicy"/>.</summary>
    /// <exception cref="ImagePullException">The image is missing and cannot be pulled, or is missing under <see cref="ImagePullPolicy.Never"/>.</exception>
    /// <returns>True when the image was pulled, false when it was present already.</returns>
    Task<bool> EnsureImageAsync(string image, ImagePullPolicy pullPolicy, CancellationToken cancellationToken);

    /// <summary>
    /// Creates and starts a pod's sandbox on the engine's bridge network, publishing
    /// <see cref="PodSandboxConfig.PortMappings"/>. Nothing is left behind when it fails.
    /// </summary>
    /// <exception cref="HostPortInUseException">A requested host port is taken.</exception>
    /// <exception cref="PodSandboxException">The sandbox could not be created or started for another reason.</exception>
    Task<PodSandbox> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken);

    /// <summary>
    /// The first half of <see cref="RunPodSandboxAsync"/>: creates the sandbox without starting it,
    /// so app containers can be created (<see cref="CreateContainerAsync(string, PodIdentity, ContainerConfig, CancellationToken)"/>)
    /// while <see cref="StartPodSandboxAsync"/> runs. Returns its id.
    /// </summary>
    /// <exception cref="PodSandboxException">It could not be created.</exception>
    Task<string> CreatePodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken);

    /// <summary>
    /// The second half of <see cref="RunPodSandboxAsync"/>: starts a sandbox made by
    /// <see cref="CreatePodSandboxAsync"/> with the same <paramref name="config"/>. When it fails the
    /// sandbox is removed (app containers already joined to it stay, as created, for the caller to remove).
    /// </summary>
    /// <exception cref="HostPortInUseException">A requested host port is taken.</exception>
    /// <exception cref="PodSandboxException">It could not be started or has no IP address.</exception>
    Task<PodSandbox> StartPodSandboxAsync(string sandboxId, PodSandboxConfig config, CancellationToken cancellationToken);

    /// <summary>
    /// Creates and starts a spare sandbox: no pod, no host ports, the engine's default hostname, label
    /// <see cref="ContainerLabels.Spare"/>. It belongs to a pod once an app container is created in it
    /// (<see cref="ContainerLabels.SandboxId"/> on that container); from then on it is listed with the
    /// pod's containers and removed with them.
    /// </summary>
    /// <exception cref="ContainerRuntimeException">It could not be created or started (nothing is left behind).</exception>
    Task<SpareSandbox> RunSpareSandboxAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The spare sandboxes of this node that no app container joins and that run (free), oldest first.
    /// Free spares that exited, or were created but not started for a minute, are removed on the way.
    /// </summary>
    Task<IReadOnlyList<SpareSandbox>> ListFreeSpareSandboxesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Force-removes a pod's sandbox and every container of the pod on this node. Does nothing for
    /// a sandbox that is already gone. Stop the app containers first to give them their grace period.
    /// </summary>
    Task RemovePodSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates (does not start) an app container in the sandbox's network namespace, with an init
    /// process that forwards signals. Returns its id.
    /// </summary>
    /// <exception cref="ImageNotFoundException">The image is not present.</exception>
    /// <exception cref="CreateContainerException">The engine refused the container (e.g. a memory limit below 6 MiB).</exception>
    Task<string> CreateContainerAsync(PodSandbox sandbox, ContainerConfig config, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="CreateContainerAsync(PodSandbox, ContainerConfig, CancellationToken)"/>, for a
    /// sandbox that is created but may not run yet: the engine joins its namespaces when the container
    /// starts, so start it only once the sandbox runs.
    /// </summary>
    /// <exception cref="ImageNotFoundException">The image is not present.</exception>
    /// <exception cref="CreateContainerException">The engine refused the container.</exception>
    Task<string> CreateContainerAsync(string sandboxId, PodIdentity pod, ContainerConfig config, CancellationToken cancellationToken);

    /// <summary>Starts a created container. Does nothing for a running one.</summary>
    /// <exception cref="StartContainerException">It cannot start, e.g. its command is not found.</exception>
    /// <exception cref="ContainerNotFoundException">It does not exist.</exception>
    Task StartContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Stops a container: SIGTERM, then SIGKILL once <paramref name="gracePeriod"/> (whole seconds,
    /// rounded up) has passed. Returns when it has exited. Does nothing for a stopped one.
    /// </summary>
    /// <exception cref="ContainerNotFoundException">It does not exist.</exception>
    Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Force-removes a container (killing it if it runs). Does nothing for one that is already gone.</summary>
    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// This node's containers (sandboxes and app containers, running or not) carrying all of
    /// <paramref name="labelFilter"/> (empty: all of them). A spare sandbox joined by listed app
    /// containers is listed too, as a sandbox of their pod.
    /// </summary>
    Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(IReadOnlyDictionary<string, string> labelFilter, CancellationToken cancellationToken);

    /// <summary>A container's status and effective settings.</summary>
    /// <exception cref="ContainerNotFoundException">It does not exist.</exception>
    Task<ContainerDetails> InspectContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// A container's output, line by line: each of stdout and stderr in the order written (they are
    /// separate pipes, so between them the order is the engine's order of arrival). Ends at the end
    /// of what is written so far, or, when following, when the container stops.
    /// </summary>
    /// <exception cref="ContainerNotFoundException">It does not exist.</exception>
    IAsyncEnumerable<LogLine> GetLogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> in a running container and waits for it, at most
    /// <paramref name="timeout"/>; for exec probes and <c>kubectl exec</c>-style one-shots.
    /// </summary>
    /// <exception cref="ContainerRuntimeException"><see cref="RuntimeErrorReasons.ContainerNotRunning"/> when it is not running.</exception>
    /// <exception cref="ContainerNotFoundException">It does not exist.</exception>
    Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);
}
