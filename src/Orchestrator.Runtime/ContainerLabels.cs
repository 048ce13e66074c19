namespace Orchestrator.Runtime;

/// <summary>
/// The labels every container the runtime creates carries. They tie a container to its node, its
/// pod and its place in the pod, so the node agent can rebuild its whole view of the engine from
/// <see cref="IContainerRuntime.ListContainersAsync"/> after a restart, and several simulated nodes
/// can share one engine without seeing each other's containers.
/// </summary>
public static class ContainerLabels
{
    /// <summary>The node (node agent) that owns the container.</summary>
    public const string Node = "orchestrator.node";

    /// <summary>The namespace of the pod the container belongs to.</summary>
    public const string PodNamespace = "orchestrator.pod.namespace";

    /// <summary>The name of the pod the container belongs to.</summary>
    public const string PodName = "orchestrator.pod.name";

    /// <summary>The uid of the pod the container belongs to (names are reused, uids are not).</summary>
    public const string PodUid = "orchestrator.pod.uid";

    /// <summary>The container's name in the pod spec; <see cref="SandboxContainerName"/> for the sandbox.</summary>
    public const string ContainerName = "orchestrator.container.name";

    /// <summary><see cref="SandboxKind"/> or <see cref="AppKind"/>.</summary>
    public const string ContainerKind = "orchestrator.container.kind";

    /// <summary>How many times the node agent restarted this container before (0 for the first run).</summary>
    public const string RestartCount = "orchestrator.container.restartCount";

    /// <summary>
    /// On a spare sandbox (one started ahead of any pod, see <see cref="IContainerRuntime.RunSpareSandboxAsync"/>):
    /// <c>true</c>. A spare has no pod labels; it belongs to the pod whose app containers name it in
    /// <see cref="SandboxId"/>, and is free while none does.
    /// </summary>
    public const string Spare = "orchestrator.sandbox.spare";

    /// <summary>On an app container: the id of the sandbox whose namespaces it joins.</summary>
    public const string SandboxId = "orchestrator.sandbox.id";

    /// <summary>The value of <see cref="ContainerKind"/> on a pod's infra (sandbox) container.</summary>
    public const string SandboxKind = "sandbox";

    /// <summary>The value of <see cref="ContainerKind"/> on a container from the pod spec.</summary>
    public const string AppKind = "app";

    /// <summary>The value of <see cref="ContainerName"/> on a pod's infra container (Kubernetes' "POD").</summary>
    public const string SandboxContainerName = "POD";

    /// <summary>True for the labels this runtime manages itself; callers cannot override them.</summary>
    public static bool IsReserved(string label) =>
        label is Node or PodNamespace or PodName or PodUid or ContainerName or ContainerKind or RestartCount or Spare or SandboxId;
}
