using Orchestrator.Cluster.Streams;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Streams;

/// <summary>An exec or attach of the engine as a <see cref="IPodStreamSession"/>.</summary>
internal sealed class ContainerStreamSession(IContainerSession session, bool exec) : IPodStreamSession
{
    private readonly byte[] _buffer = new byte[PodStreamPaths.MaxChunkBytes];

    public async ValueTask<PodStreamChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await session.ReadAsync(_buffer, cancellationToken);
            if (read.End) return null;
            if (read.Count > 0) return new PodStreamChunk(read.Stderr ? 2 : 1, _buffer.AsSpan(0, read.Count).ToArray());
        }
    }

    /// <summary>
    /// An exec ends with its process's exit code; an attach with success, as the kubelet reports it
    /// (the container's own exit is in the pod's status).
    /// </summary>
    public async Task<PodStreamEnd> EndAsync(CancellationToken cancellationToken)
    {
        if (!exec) return PodStreamEnd.Success;
        return await session.ExitCodeAsync(cancellationToken) is { } code
            ? new PodStreamEnd(code, null)
            : PodStreamEnd.Success; // closed its output and lives on: nothing more to report
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => session.WriteAsync(data, cancellationToken);

    public ValueTask CloseInputAsync(CancellationToken cancellationToken) => session.CloseInputAsync(cancellationToken);

    public async ValueTask ResizeAsync(int width, int height, CancellationToken cancellationToken) =>
        await session.ResizeAsync(width, height, cancellationToken);

    public ValueTask DisposeAsync() => session.DisposeAsync();
}
