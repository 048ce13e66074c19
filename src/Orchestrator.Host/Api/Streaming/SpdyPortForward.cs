using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Orchestrator.Cluster.Streams;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api.Streaming;

/// <summary>
/// <c>kubectl port-forward</c> since 1.31: SPDY/3.1 frames tunnelled through a WebSocket
/// (subprotocol <c>SPDY/3.1+portforward.k8s.io</c>, the frames as a byte stream over binary
/// messages). For each local connection kubectl opens two streams with headers
/// <c>streamType</c> (<c>error</c>, then <c>data</c>), <c>port</c> and <c>requestID</c>; this side
/// replies to each, connects to the pod's port once both are there, copies bytes both ways on the
/// data stream and writes a failure's message on the error stream, then finishes both (FIN).
/// Pings are answered; flow control frames (SETTINGS, WINDOW_UPDATE) are ignored, as kubectl's
/// SPDY library does.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "One RunAsync per instance; it disposes the semaphore when it ends.")]
internal sealed class SpdyPortForward(SpdyPortForward.ITransport transport, Func<int, CancellationToken, Task<IPodStreamSession>> open, ILogger log)
{
    /// <summary>The WebSocket subprotocol of the tunnel (kubectl 1.31+).</summary>
    public const string Protocol = "SPDY/3.1+portforward.k8s.io";

    /// <summary>The plain HTTP upgrade (kubectl up to 1.30, and later ones when the WebSocket upgrade is refused).</summary>
    public const string Upgrade = "SPDY/3.1";

    /// <summary>The <c>X-Stream-Protocol-Version</c> of port forwarding.</summary>
    public const string StreamProtocol = "portforward.k8s.io";

    /// <summary>Where the frames travel: a WebSocket (as a byte stream) or an upgraded HTTP connection.</summary>
    public interface ITransport
    {
        /// <summary>Reads what is there into <paramref name="buffer"/>; 0 once the other side closed.</summary>
        ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

        /// <summary>Writes one whole frame.</summary>
        Task WriteAsync(byte[] frame, CancellationToken cancellationToken);

        /// <summary>Ends the connection (best effort).</summary>
        Task CloseAsync();
    }

    /// <summary>A WebSocket's binary messages as one byte stream (message boundaries mean nothing in a tunnel).</summary>
    public sealed class WebSocketTransport(WebSocket socket) : ITransport
    {
        public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close) return 0;
                if (result.Count > 0) return result.Count;
            }
        }

        public Task WriteAsync(byte[] frame, CancellationToken cancellationToken) =>
            socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

        public async Task CloseAsync()
        {
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>An upgraded HTTP/1.1 connection.</summary>
    public sealed class StreamTransport(Stream stream) : ITransport
    {
        public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            try
            {
                return await stream.ReadAsync(buffer, cancellationToken);
            }
            catch (IOException)
            {
                return 0;
            }
        }

        public async Task WriteAsync(byte[] frame, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(frame, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }

        public Task CloseAsync()
        {
            stream.Dispose();
            return Task.CompletedTask;
        }
    }

    private const int SynStream = 1, SynReply = 2, RstStream = 3, Ping = 6, GoAway = 7;
    private const byte FlagFin = 0x01;
    private const int MaxControlFrame = 64 * 1024;

    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly SpdyHeaderBlocks.Writer _headersOut = new();
    private readonly ConcurrentDictionary<string, Pair> _pairs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, Pair> _dataStreams = new();
    private readonly List<Task> _forwards = [];

    private sealed class Pair(int port, string requestId)
    {
        public int Port { get; } = port;
        public string RequestId { get; } = requestId;
        public uint ErrorStream { get; set; }
        public uint DataStream { get; set; }
        public Channel<byte[]> Input { get; } = Channel.CreateUnbounded<byte[]>();
        public CancellationTokenSource Stop { get; } = new();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var headersIn = new SpdyHeaderBlocks.Reader();
        var reader = new FrameReader(transport);
        try
        {
            var header = new byte[8];
            while (await reader.ReadExactlyAsync(header, done.Token))
            {
                var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)) & 0xffffff);
                var flags = header[4];
                if ((header[0] & 0x80) != 0)
                {
                    if (length > MaxControlFrame) break; // not a client we can talk to
                    var payload = new byte[length];
                    if (!await reader.ReadExactlyAsync(payload, done.Token)) break;
                    var type = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
                    if (type == GoAway) break;
                    await OnControlFrame(type, flags, header, payload, headersIn, done.Token);
                }
                else
                {
                    var payload = new byte[length];
                    if (!await reader.ReadExactlyAsync(payload, done.Token)) break;
                    var streamId = BinaryPrimitives.ReadUInt32BigEndian(header) & 0x7fffffff;
                    if (_dataStreams.TryGetValue(streamId, out var pair))
                    {
                        if (payload.Length > 0) pair.Input.Writer.TryWrite(payload);
                        if ((flags & FlagFin) != 0) pair.Input.Writer.TryComplete();
                    }
                }
            }
        }
        catch (InvalidDataException e)
        {
            log.LogDebug(e, "port-forward: a SPDY frame could not be read; closing");
        }
        catch (Exception e) when (e is OperationCanceledException && done.IsCancellationRequested || e is WebSocketException or IOException)
        {
        }
        finally
        {
            await done.CancelAsync();
            foreach (var pair in _pairs.Values) await pair.Stop.CancelAsync();
            try
            {
                await Task.WhenAll(_forwards);
            }
            catch (OperationCanceledException)
            {
            }
            await CloseAsync();
            _send.Dispose();
        }
    }

    private async Task OnControlFrame(int type, byte flags, byte[] header, byte[] payload, SpdyHeaderBlocks.Reader headersIn, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case SynStream when payload.Length >= 10:
            {
                var streamId = BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff;
                var headers = headersIn.Decode(payload.AsSpan(10));
                await SendControl(SynReply, 0, [.. BigEndian(streamId), .. _headersOut.Encode([])], cancellationToken);
                OnStream(streamId, headers, cancellationToken);
                break;
            }
            case RstStream when payload.Length >= 4:
            {
                var streamId = BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff;
                if (_dataStreams.TryGetValue(streamId, out var pair)) await pair.Stop.CancelAsync();
                break;
            }
            case Ping:
                await SendRaw([.. header, .. payload], cancellationToken);
                break;
        }
    }

    private void OnStream(uint streamId, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        string? Header(string name) => headers.FirstOrDefault(h => h.Key == name).Value;
        var portText = Header("port");
        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            _ = SendReset(streamId, cancellationToken);
            return;
        }
        var requestId = Header("requestid") ?? portText;
        var pair = _pairs.GetOrAdd(requestId, id => new Pair(port, id));
        switch (Header("streamtype"))
        {
            case "error":
                pair.ErrorStream = streamId;
                break;
            case "data":
                pair.DataStream = streamId;
                _dataStreams[streamId] = pair;
                break;
            default:
                _ = SendReset(streamId, cancellationToken);
                return;
        }
        if (pair is { ErrorStream: > 0, DataStream: > 0 })
        {
            lock (_forwards) _forwards.Add(Task.Run(() => Forward(pair, cancellationToken), CancellationToken.None));
        }
    }

    private async Task Forward(Pair pair, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, pair.Stop.Token);
        var ct = stop.Token;
        try
        {
            IPodStreamSession session;
            try
            {
                session = await open(pair.Port, ct);
            }
            catch (ApiErrorException e)
            {
                await SendData(pair.ErrorStream, Encoding.UTF8.GetBytes(e.Error.Message), 0, ct);
                await Finish(pair, ct);
                return;
            }
            await using (session)
            {
                var input = Task.Run(async () =>
                {
                    await foreach (var data in pair.Input.Reader.ReadAllAsync(ct)) await session.WriteAsync(data, ct);
                    await session.CloseInputAsync(ct);
                }, ct);
                while (await session.ReadAsync(ct) is { } chunk)
                    await SendData(pair.DataStream, chunk.Data, 0, ct);
                if ((await session.EndAsync(ct)).Error is { } error)
                    await SendData(pair.ErrorStream, Encoding.UTF8.GetBytes($"error forwarding port {pair.Port}: {error}"), 0, ct);
                await Finish(pair, ct);
                _ = input; // the client finishes its side (or the tunnel closes)
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            _dataStreams.TryRemove(pair.DataStream, out _);
            _pairs.TryRemove(new KeyValuePair<string, Pair>(pair.RequestId, pair));
            pair.Stop.Dispose();
        }
    }

    private async Task Finish(Pair pair, CancellationToken cancellationToken)
    {
        await SendData(pair.DataStream, [], FlagFin, cancellationToken);
        await SendData(pair.ErrorStream, [], FlagFin, cancellationToken);
    }

    private async Task SendData(uint streamId, byte[] data, byte flags, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < data.Length || (offset == 0 && data.Length == 0); offset += PodStreamPaths.MaxChunkBytes)
        {
            var count = Math.Min(PodStreamPaths.MaxChunkBytes, data.Length - offset);
            var last = offset + count >= data.Length;
            var frame = new byte[8 + count];
            BinaryPrimitives.WriteUInt32BigEndian(frame, streamId & 0x7fffffff);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)(((last ? flags : 0) << 24) | count));
            data.AsSpan(offset, count).CopyTo(frame.AsSpan(8));
            await SendRaw(frame, cancellationToken);
            if (data.Length == 0) break;
        }
    }

    private Task SendReset(uint streamId, CancellationToken cancellationToken) =>
        SendControl(RstStream, 0, [.. BigEndian(streamId), .. BigEndian(1 /* PROTOCOL_ERROR */)], cancellationToken);

    private Task SendControl(int type, byte flags, byte[] payload, CancellationToken cancellationToken)
    {
        var frame = new byte[8 + payload.Length];
        frame[0] = 0x80;
        frame[1] = 3; // SPDY version 3
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)((flags << 24) | payload.Length));
        payload.CopyTo(frame, 8);
        return SendRaw(frame, cancellationToken);
    }

    private async Task SendRaw(byte[] frame, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            await transport.WriteAsync(frame, cancellationToken);
        }
        finally
        {
            _send.Release();
        }
    }

    private Task CloseAsync() => transport.CloseAsync();

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>Reads whole frame parts from the transport's bytes.</summary>
    private sealed class FrameReader(ITransport transport)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start, _end;

        /// <summary>Fills <paramref name="target"/>; false when the connection closed first.</summary>
        public async Task<bool> ReadExactlyAsync(byte[] target, CancellationToken cancellationToken)
        {
            var filled = 0;
            while (filled < target.Length)
            {
                if (_start == _end)
                {
                    var count = await transport.ReadAsync(_buffer, cancellationToken);
                    if (count == 0) return false;
                    (_start, _end) = (0, count);
                    continue;
                }
                var n = Math.Min(target.Length - filled, _end - _start);
                Array.Copy(_buffer, _start, target, filled, n);
                _start += n;
                filled += n;
            }
            return true;
        }
    }
}
