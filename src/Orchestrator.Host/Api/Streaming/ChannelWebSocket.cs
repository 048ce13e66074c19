using System.Buffers;
using System.Net.WebSockets;

namespace Orchestrator.Host.Api.Streaming;

/// <summary>
/// A WebSocket speaking one of Kubernetes' channel subprotocols (<c>channel.k8s.io</c> and its
/// <c>v4.</c> / <c>v5.</c> and <c>base64.</c> variants): every message starts with the channel number
/// (a byte, or an ASCII digit in base64 mode where the rest is base64). Sends are serialized.
/// </summary>
internal sealed class ChannelWebSocket(WebSocket socket, bool base64) : IDisposable
{
    /// <summary>Largest message accepted from a client (stdin chunks, resize events, port data).</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private readonly SemaphoreSlim _send = new(1, 1);

    public WebSocket Socket => socket;

    /// <summary>True when the negotiated subprotocol is a base64 one.</summary>
    public static bool IsBase64(string protocol) => protocol.Contains("base64.", StringComparison.Ordinal);

    public async Task SendAsync(int channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        byte[] frame;
        WebSocketMessageType type;
        if (base64)
        {
            frame = System.Text.Encoding.ASCII.GetBytes((char)('0' + channel) + Convert.ToBase64String(data.Span));
            type = WebSocketMessageType.Text;
        }
        else
        {
            frame = new byte[data.Length + 1];
            frame[0] = (byte)channel;
            data.Span.CopyTo(frame.AsSpan(1));
            type = WebSocketMessageType.Binary;
        }
        await _send.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(frame, type, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The next message as (channel, payload); null when the client closed or the socket broke.</summary>
    public async Task<(int Channel, byte[] Data)?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cancellationToken);
            }
            catch (WebSocketException)
            {
                return null;
            }
            if (result.MessageType == WebSocketMessageType.Close) return null;
            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxMessageBytes) return null;
            if (!result.EndOfMessage) continue;
            var message = buffer.WrittenSpan;
            if (message.Length == 0)
            {
                buffer.Clear();
                continue;
            }
            if (!base64) return (message[0], message[1..].ToArray());
            var channel = message[0] - '0';
            try
            {
                return (channel, Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(message[1..])));
            }
            catch (FormatException)
            {
                return null; // not base64: a broken client
            }
        }
    }

    /// <summary>Closes the socket normally (best effort: the client may be gone).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>How long a client may take to answer our close before the connection is dropped.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After <see cref="CloseAsync"/>: waits until <paramref name="receiver"/> (the loop reading the
    /// client) has seen the client's close, so the connection ends cleanly instead of being reset
    /// under the client's last reads.
    /// </summary>
    public static async Task WaitForCloseAsync(Task receiver, CancellationToken cancellationToken)
    {
        try
        {
            await receiver.WaitAsync(CloseTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    public void Dispose() => _send.Dispose();
}
