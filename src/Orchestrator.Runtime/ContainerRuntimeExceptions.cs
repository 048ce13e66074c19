namespace Orchestrator.Runtime;

/// <summary>
/// The reasons a <see cref="ContainerRuntimeException"/> carries. Where Kubernetes has a name for the
/// situation (a container's <c>waiting.reason</c>), it is that name, so the node agent can put it
/// into the pod's status as it is.
/// </summary>
public static class RuntimeErrorReasons
{
    /// <summary>Pulling the image failed (registry unreachable, image unknown, ...).</summary>
    public const string ErrImagePull = "ErrImagePull";

    /// <summary>The image is not present and the pull policy is Never.</summary>
    public const string ErrImageNeverPull = "ErrImageNeverPull";

    /// <summary>The image reference cannot be parsed.</summary>
    public const string InvalidImageName = "InvalidImageName";

    /// <summary>A container was to be created from an image that is not present.</summary>
    public const string ImageNotFound = "ImageNotFound";

    /// <summary>The engine refused to create a container (bad limits, name in use, ...).</summary>
    public const string CreateContainerError = "CreateContainerError";

    /// <summary>The engine could not start a container (command not found, ...).</summary>
    public const string RunContainerError = "RunContainerError";

    /// <summary>The pod's sandbox could not be created or started (host port in use, ...).</summary>
    public const string CreatePodSandboxError = "CreatePodSandboxError";

    /// <summary>The container does not exist (any more).</summary>
    public const string ContainerNotFound = "ContainerNotFound";

    /// <summary>The operation needs a running container and it is not running.</summary>
    public const string ContainerNotRunning = "ContainerNotRunning";

    /// <summary>The engine cannot be reached.</summary>
    public const string RuntimeUnavailable = "RuntimeUnavailable";

    /// <summary>Any other error the engine reported.</summary>
    public const string RuntimeError = "RuntimeError";
}

/// <summary>
/// A failure of a container runtime operation, with a <see cref="Reason"/> from
/// <see cref="RuntimeErrorReasons"/> and, when the engine gave one, the engine's own message.
/// </summary>
public class ContainerRuntimeException : Exception
{
    public ContainerRuntimeException(string reason, string message, string? engineMessage = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        EngineMessage = engineMessage;
    }

    /// <summary>One of <see cref="RuntimeErrorReasons"/>.</summary>
    public string Reason { get; }

    /// <summary>The engine's message, as it gave it; null when the failure did not come from the engine.</summary>
    public string? EngineMessage { get; }
}

/// <summary>
/// An image could not be made present: <see cref="RuntimeErrorReasons.ErrImagePull"/>,
/// <see cref="RuntimeErrorReasons.ErrImageNeverPull"/> or <see cref="RuntimeErrorReasons.InvalidImageName"/>.
/// </summary>
public sealed class ImagePullException(string image, string reason, string message, string? engineMessage = null, Exception? innerException = null)
    : ContainerRuntimeException(reason, message, engineMessage, innerException)
{
    /// <summary>The image reference as the caller gave it.</summary>
    public string Image { get; } = image;
}

/// <summary>A container was to be created from an image that is not present (<see cref="RuntimeErrorReasons.ImageNotFound"/>).</summary>
public sealed class ImageNotFoundException(string image, string engineMessage, Exception? innerException = null)
    : ContainerRuntimeException(
        RuntimeErrorReasons.ImageNotFound,
        $"image \"{image}\" is not present on the node: {engineMessage}",
        engineMessage,
        innerException)
{
    /// <summary>The image reference as the caller gave it.</summary>
    public string Image { get; } = image;
}

/// <summary>The engine refused to create a container (<see cref="RuntimeErrorReasons.CreateContainerError"/>).</summary>
public sealed class CreateContainerException(string containerName, string engineMessage, Exception? innerException = null)
    : ContainerRuntimeException(
        RuntimeErrorReasons.CreateContainerError,
        $"cannot create container \"{containerName}\": {engineMessage}",
        engineMessage,
        innerException)
{
    /// <summary>The container's name in the pod spec.</summary>
    public string ContainerName { get; } = containerName;
}

/// <summary>The engine could not start a container (<see cref="RuntimeErrorReasons.RunContainerError"/>).</summary>
public sealed class StartContainerException(string containerId, string engineMessage, Exception? innerException = null)
    : ContainerRuntimeException(
        RuntimeErrorReasons.RunContainerError,
        $"cannot start container {ShortId(containerId)}: {engineMessage}",
        engineMessage,
        innerException)
{
    /// <summary>The engine's id of the container.</summary>
    public string ContainerId { get; } = containerId;

    internal static string ShortId(string id) => id.Length > 12 ? id[..12] : id;
}

/// <summary>A pod's sandbox could not be created or started (<see cref="RuntimeErrorReasons.CreatePodSandboxError"/>).</summary>
public class PodSandboxException(PodIdentity pod, string message, string? engineMessage = null, Exception? innerException = null)
    : ContainerRuntimeException(RuntimeErrorReasons.CreatePodSandboxError, message, engineMessage, innerException)
{
    /// <summary>The pod.</summary>
    public PodIdentity Pod { get; } = pod;
}

/// <summary>A host port the pod asked for is taken on the node (by another pod or another process).</summary>
public sealed class HostPortInUseException(PodIdentity pod, IReadOnlyList<PortMapping> requested, string engineMessage, Exception? innerException = null)
    : PodSandboxException(
        pod,
        $"cannot start the sandbox of pod {pod}: a host port it asks for ({string.Join(", ", requested.Select(p => $"{p.HostIp}:{p.HostPort}/{p.Protocol.ToString().ToUpperInvariant()}".TrimStart(':')))}) is in use: {engineMessage}",
        engineMessage,
        innerException)
{
    /// <summary>The host ports the pod asked for (the engine does not always say which one is taken).</summary>
    public IReadOnlyList<PortMapping> Requested { get; } = requested;
}

/// <summary>The container does not exist (<see cref="RuntimeErrorReasons.ContainerNotFound"/>).</summary>
public sealed class ContainerNotFoundException(string containerId, Exception? innerException = null)
    : ContainerRuntimeException(
        RuntimeErrorReasons.ContainerNotFound,
        $"no container {StartContainerException.ShortId(containerId)} on this node",
        null,
        innerException)
{
    /// <summary>The id asked for.</summary>
    public string ContainerId { get; } = containerId;
}
