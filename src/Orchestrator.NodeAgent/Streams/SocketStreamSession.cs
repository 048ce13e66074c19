using System.Net.Sockets;
using Orchestrator.Cluster.Streams;

namespace Orchestrator.NodeAgent.Streams;

/// <summary>A TCP connection to a pod's port as a <see cref="IPodStreamSession"/> (output on channel 1).</summary>
internal sealed class SocketStreamSession(TcpClient client) : IPodStreamSession
{
    private readonly NetworkStream _stream = client.GetStream();
    private readonly byte[] _buffer = new byte[PodStreamPaths.MaxChunkBytes];
    private string? _error;

    public async ValueTask<PodStreamChunk?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_error is not null) return null;
        try
        {
            var count = await _stream.ReadAsync(_buffer, cancellationToken);
            return count == 0 ? null : new PodStreamChunk(1, _buffer.AsSpan(0, count).ToArray());
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            _error = $"lost the connection to the pod: {e.InnerException?.Message ?? e.Message}";
            return null;
        }
    }

    public Task<PodStreamEnd> EndAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_error is null ? PodStreamEnd.Success : PodStreamEnd.Failed(_error));

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(data, cancellationToken);
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // The pod closed the connection; the read side reports the end.
        }
    }

    public ValueTask CloseInputAsync(CancellationToken cancellationToken)
    {
        try
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask ResizeAsync(int width, int height, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
