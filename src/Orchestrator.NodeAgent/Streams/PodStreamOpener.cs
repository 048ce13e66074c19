using System.Net;
using System.Net.Sockets;
using Orchestrator.Cluster.Streams;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Streams;

/// <summary>
/// Opens exec, attach and port connections of this node's pods: execs and attaches through the
/// engine, port connections as TCP connections from this machine to the pod's IP (the pod's
/// network is this engine's bridge; a port bound only to the pod's loopback is not reachable so).
/// </summary>
public sealed class PodStreamOpener(IContainerRuntime runtime, IContainerStreams streams) : IPodStreamOpener
{
    /// <summary>How long a connection to the pod's port may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public async Task<IPodStreamSession> OpenAsync(PodStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Kind == PodStreamKind.PortForward) return await ConnectAsync(request, cancellationToken);

        var runs = (await runtime.ListContainersAsync(new Dictionary<string, string>
        {
            [ContainerLabels.PodNamespace] = request.Namespace,
            [ContainerLabels.PodName] = request.Pod,
            [ContainerLabels.PodUid] = request.Uid,
            [ContainerLabels.ContainerName] = request.Container,
        }, cancellationToken)).Where(c => c.Kind == ContainerKind.App).OrderBy(c => c.RestartCount).ThenBy(c => c.CreatedAt).ToList();
        if (runs.LastOrDefault() is not { State: ContainerState.Running } run)
            throw new ApiErrorException(ApiError.BadRequest($"container {request.Container} is not running in pod {request.Pod}"));

        var options = new StreamOptions(request.Stdin, request.Stdout, request.Stderr, request.Tty);
        try
        {
            var session = request.Kind == PodStreamKind.Exec
                ? await streams.ExecAsync(run.Id, request.Command, options, cancellationToken)
                : await streams.AttachAsync(run.Id, options, cancellationToken);
            return new ContainerStreamSession(session, request.Kind == PodStreamKind.Exec);
        }
        catch (ContainerRuntimeException e) when (e.Reason is RuntimeErrorReasons.ContainerNotRunning or RuntimeErrorReasons.ContainerNotFound)
        {
            throw new ApiErrorException(ApiError.BadRequest($"container {request.Container} is not running in pod {request.Pod}: {e.EngineMessage ?? e.Message}"));
        }
        catch (ContainerRuntimeException e)
        {
            throw new ApiErrorException(ApiError.Internal(e.Message));
        }
    }

    private static async Task<IPodStreamSession> ConnectAsync(PodStreamRequest request, CancellationToken cancellationToken)
    {
        var prefix = $"error forwarding port {request.Port} to pod {request.Namespace}/{request.Pod}, uid {request.Uid}";
        if (string.IsNullOrEmpty(request.PodIp) || !IPAddress.TryParse(request.PodIp, out var address))
            throw new ApiErrorException(ApiError.BadRequest($"{prefix}: the pod has no IP address yet"));
        var client = new TcpClient(address.AddressFamily) { NoDelay = true };
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(ConnectTimeout);
            await client.ConnectAsync(address, request.Port, deadline.Token);
            return new SocketStreamSession(client);
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new ApiErrorException(ApiError.BadRequest($"{prefix}: failed to connect to {address}:{request.Port} inside the pod: {e.Message}"));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new ApiErrorException(ApiError.BadRequest($"{prefix}: failed to connect to {address}:{request.Port} inside the pod: no answer within {ConnectTimeout.TotalSeconds:0}s"));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
