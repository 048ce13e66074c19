using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Streams;

namespace Orchestrator.Host.Api.Streaming;

/// <summary>
/// Exec and attach over WebSocket, as the kubelet serves them and the API server passes them on:
/// channel 0 stdin, 1 stdout, 2 stderr, 3 error (the final <c>Status</c>), 4 resize
/// (<c>{"Width":w,"Height":h}</c>); <c>v5.channel.k8s.io</c> (kubectl 1.30+) adds the close signal
/// <c>[255, channel]</c> (stdin closed). With <c>v4</c>/<c>v5</c> the error channel carries a Status
/// JSON (<c>Success</c>, or <c>Failure</c> with reason <c>NonZeroExitCode</c> and the exit code in
/// a cause of type <c>ExitCode</c>, which kubectl turns into its own exit code); with the unversioned
/// <c>channel.k8s.io</c> it carries only a failure's message.
/// </summary>
internal static class RemoteCommandProtocol
{
    public const int Stdin = 0, Stdout = 1, Stderr = 2, Error = 3, Resize = 4, Close = 255;

    /// <summary>The subprotocols served, best first.</summary>
    public static readonly IReadOnlyList<string> Protocols =
        ["v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io", "channel.k8s.io", "base64.channel.k8s.io"];

    public static async Task RunAsync(ChannelWebSocket socket, string protocol, IPodStreamSession session, PodStreamRequest request, CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Tell the client the streams are up: an empty message on the lowest channel it reads (as the kubelet does).
        await socket.SendAsync(request.Stdout ? Stdout : request.Stderr ? Stderr : Error, ReadOnlyMemory<byte>.Empty, done.Token);
        var input = Task.Run(() => PumpInput(socket, session, done.Token), done.Token);
        try
        {
            while (await session.ReadAsync(done.Token) is { } chunk)
                await socket.SendAsync(chunk.Channel == 2 && !request.Tty ? Stderr : Stdout, chunk.Data, done.Token);
            var end = await session.EndAsync(done.Token);
            var versioned = protocol.StartsWith('v');
            if (StatusOf(end, request, versioned) is { } status)
            {
                await socket.SendAsync(Error, versioned
                    ? JsonSerializer.SerializeToUtf8Bytes(status)
                    : System.Text.Encoding.UTF8.GetBytes(status["message"]!.GetValue<string>()), done.Token);
            }
            await socket.CloseAsync(done.Token);
            await ChannelWebSocket.WaitForCloseAsync(input, done.Token);
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // The client went away: nothing to tell.
        }
        finally
        {
            await done.CancelAsync();
            try
            {
                await input;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Client to session: stdin, resizes and (v5) the stdin close signal. The socket closing closes stdin as well.</summary>
    private static async Task PumpInput(ChannelWebSocket socket, IPodStreamSession session, CancellationToken cancellationToken)
    {
        while (await socket.ReceiveAsync(cancellationToken) is { } message)
        {
            switch (message.Channel)
            {
                case Stdin:
                    await session.WriteAsync(message.Data, cancellationToken);
                    break;
                case Resize when TryReadSize(message.Data, out var width, out var height):
                    await session.ResizeAsync(width, height, cancellationToken);
                    break;
                case Close when message.Data is [Stdin, ..]:
                    await session.CloseInputAsync(cancellationToken);
                    break;
            }
        }
        await session.CloseInputAsync(cancellationToken);
    }

    /// <summary>One or more terminal sizes (<c>{"Width":80,"Height":24}</c>) in a resize message; the last counts.</summary>
    internal static bool TryReadSize(byte[] data, out int width, out int height)
    {
        width = height = 0;
        var found = false;
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.StartObject) continue;
                var size = JsonNode.Parse(ref reader) as JsonObject;
                int? w = null, h = null;
                foreach (var (key, value) in size ?? [])
                {
                    if (value is JsonValue v && v.TryGetValue<int>(out var n))
                    {
                        if (key.Equals("width", StringComparison.OrdinalIgnoreCase)) w = n;
                        if (key.Equals("height", StringComparison.OrdinalIgnoreCase)) h = n;
                    }
                }
                if (w is > 0 and <= ushort.MaxValue && h is > 0 and <= ushort.MaxValue)
                {
                    (width, height, found) = (w.Value, h.Value, true);
                }
            }
        }
        catch (JsonException)
        {
            // A broken resize message changes nothing.
        }
        return found;
    }

    /// <summary>The Status the kubelet writes on the error channel; null when nothing is to be written.</summary>
    internal static JsonObject? StatusOf(PodStreamEnd end, PodStreamRequest request, bool versioned)
    {
        if (end.Error is null && end.ExitCode is null or 0)
            return versioned ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" } : null;
        if (end.Error is null)
        {
            var code = end.ExitCode!.Value;
            return new JsonObject
            {
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = $"command terminated with non-zero exit code: command '{string.Join(' ', request.Command)}' exited with {code}",
                ["reason"] = "NonZeroExitCode",
                ["details"] = new JsonObject
                {
                    ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
                },
            };
        }
        return new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"Internal error occurred: {end.Error}",
            ["reason"] = "InternalError",
            ["code"] = 500,
        };
    }
}
