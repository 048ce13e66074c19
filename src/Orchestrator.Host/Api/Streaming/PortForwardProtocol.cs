using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Primitives;
using Orchestrator.Cluster.Streams;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Host.Api.Streaming;

/// <summary>
/// Port forwarding over the WebSocket channel protocol (<c>v4.channel.k8s.io</c>), as the kubelet
/// serves it to the official clients: the ports come in the query (<c>?ports=80,8080</c>); port i
/// has data channel 2i and error channel 2i+1, and the first message on each is the port as two
/// bytes, little endian. One connection per port; the socket closes once every port's connection
/// has ended. A port nothing listens on gets its error on its error channel.
/// </summary>
internal static class PortForwardProtocol
{
    /// <summary>The subprotocols served, best first.</summary>
    public static readonly IReadOnlyList<string> Protocols = ["v4.channel.k8s.io", "v4.base64.channel.k8s.io"];

    /// <summary>The <c>ports</c> query parameter (repeatable, comma-separated), validated as the kubelet does.</summary>
    public static IReadOnlyList<int> ParsePorts(StringValues values)
    {
        if (values.Count == 0)
            throw new ApiErrorException(ApiError.BadRequest("query parameter \"ports\" is required"));
        var ports = new List<int>();
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value))
                throw new ApiErrorException(ApiError.BadRequest("query parameter \"ports\" cannot be empty"));
            foreach (var part in value.Split(','))
            {
                if (!ushort.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    throw new ApiErrorException(ApiError.BadRequest($"unable to parse \"{value}\" as a port"));
                if (port < 1)
                    throw new ApiErrorException(ApiError.BadRequest($"port \"{value}\" must be > 0"));
                ports.Add(port);
            }
        }
        return ports;
    }

    public static async Task RunAsync(ChannelWebSocket socket, IReadOnlyList<int> ports, Func<int, CancellationToken, Task<IPodStreamSession>> open, CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inputs = ports.Select(_ => Channel.CreateUnbounded<byte[]>()).ToArray();
        try
        {
            for (var i = 0; i < ports.Count; i++)
            {
                var prefix = new[] { (byte)(ports[i] & 0xff), (byte)(ports[i] >> 8) };
                await socket.SendAsync(2 * i, prefix, done.Token);
                await socket.SendAsync(2 * i + 1, prefix, done.Token);
            }
            var reader = Task.Run(async () =>
            {
                while (await socket.ReceiveAsync(done.Token) is { } message)
                {
                    if (message.Channel % 2 == 0 && message.Channel / 2 < inputs.Length && message.Data.Length > 0)
                        inputs[message.Channel / 2].Writer.TryWrite(message.Data);
                }
                foreach (var input in inputs) input.Writer.TryComplete();
                await done.CancelAsync(); // the client closed: end every connection
            }, done.Token);
            await Task.WhenAll(ports.Select((port, i) => Forward(socket, i, port, inputs[i].Reader, open, done.Token)));
            await socket.CloseAsync(done.Token);
            await ChannelWebSocket.WaitForCloseAsync(reader, done.Token);
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
        }
        finally
        {
            await done.CancelAsync();
        }
    }

    private static async Task Forward(ChannelWebSocket socket, int index, int port, ChannelReader<byte[]> input, Func<int, CancellationToken, Task<IPodStreamSession>> open, CancellationToken cancellationToken)
    {
        IPodStreamSession session;
        try
        {
            session = await open(port, cancellationToken);
        }
        catch (ApiErrorException e)
        {
            await socket.SendAsync(2 * index + 1, System.Text.Encoding.UTF8.GetBytes(e.Error.Message), cancellationToken);
            return;
        }
        await using (session)
        {
            var writer = Task.Run(async () =>
            {
                await foreach (var data in input.ReadAllAsync(cancellationToken)) await session.WriteAsync(data, cancellationToken);
                await session.CloseInputAsync(cancellationToken);
            }, cancellationToken);
            while (await session.ReadAsync(cancellationToken) is { } chunk)
                await socket.SendAsync(2 * index, chunk.Data, cancellationToken);
            if ((await session.EndAsync(cancellationToken)).Error is { } error)
                await socket.SendAsync(2 * index + 1, System.Text.Encoding.UTF8.GetBytes($"error forwarding port {port}: {error}"), cancellationToken);
            _ = writer; // ends with the socket (or on the client's close): nothing more to send
        }
    }
}
