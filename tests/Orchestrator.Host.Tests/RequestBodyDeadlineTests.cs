using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.Host.Tests;

/// <summary>
/// A client that stalls or trickles its request body is answered 408 with a Status naming
/// <c>orchestrator.api.decoding.max-read-time</c> once that passes (issue 19), over a real loopback
/// connection to a node process started with a 2 s limit; the node keeps serving others and stores nothing.
/// </summary>
public sealed class RequestBodyDeadlineTests : IAsyncLifetime
{
    private NodeProcess _node = null!;

    public async Task InitializeAsync() =>
        _node = await NodeProcess.StartAsync(environment: NodeFixture.ApiOnly, settings: ["orchestrator.api.decoding.max-read-time = 2s"]);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_stalled_body_is_answered_408_naming_the_limit_and_stores_nothing()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // generous: the limit is 2 s
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _node.ApiPort, bound.Token);
        var stream = tcp.GetStream();
        var head = "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"stalled\"}"), bound.Token);
        await stream.FlushAsync(bound.Token);
        // ... and nothing more: the rest of the 100,000 bytes never comes.

        var response = await ReadResponse(stream, bound.Token);
        Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
        var status = JsonNode.Parse(Body(response))!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal(408, status["code"]!.GetValue<int>());
        Assert.Contains("orchestrator.api.decoding.max-read-time", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var http = _node.CreateHttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/namespaces/default/configmaps/stalled", bound.Token)).StatusCode);
        using var good = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after-the-stall"}}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/v1/namespaces/default/configmaps", good, bound.Token)).StatusCode);
    }

    /// <summary>The body of a response read by <see cref="ReadResponse"/>, its chunks joined when it came chunked.</summary>
    private static string Body(string response)
    {
        var start = response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        if (!response[..start].Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase)) return response[start..];
        var body = new StringBuilder();
        var at = start;
        while (true)
        {
            var lineEnd = response.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(response[at..lineEnd], 16);
            if (size == 0) return body.ToString();
            body.Append(response, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    /// <summary>The status line, headers and body of one HTTP/1.1 response (to its Content-Length, its last chunk, or the connection's end).</summary>
    private static async Task<string> ReadResponse(NetworkStream stream, CancellationToken ct)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = text[..end].Split("\r\n").Select(h => h.Split(':', 2)).Where(h => h.Length == 2 && h[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(h => int.Parse(h[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(-1);
                if (length >= 0 && received.Count >= end + 4 + length) return text;
                if (text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)) return text;
            }
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0) return text;
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }
}
