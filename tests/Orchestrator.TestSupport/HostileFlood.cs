using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;

namespace Orchestrator.TestSupport;

/// <summary>
/// A flood of malformed requests against a node's API (issue 19), shared by the flood test and the
/// flood benchmark: concurrent workers cycle through the known hostile shapes (alias bombs, deep
/// nesting, bodies over the size limit, invalid UTF-8, repeated keys, copy-bomb patches) aimed at
/// <c>flood-*</c> names, each a bounded number of requests, loopback only. Every answer's status code
/// is recorded (0 for a request that failed without one).
/// </summary>
public sealed class HostileFlood(HttpClient http, string ns)
{
    private readonly ConcurrentBag<(string Shape, int Code)> _answers = [];

    public IReadOnlyCollection<(string Shape, int Code)> Answers => _answers;

    /// <summary>The shapes, each as (name, method, path, content type, body).</summary>
    public IReadOnlyList<(string Shape, HttpMethod Method, string Path, string ContentType, byte[] Body)> Shapes { get; } = BuildShapes(ns);

    private static List<(string, HttpMethod, string, string, byte[])> BuildShapes(string ns)
    {
        var collection = $"/api/v1/namespaces/{ns}/configmaps";
        var utf8 = Encoding.UTF8.GetBytes(HostileGenerators.ConfigMapJson("flood-utf8", "{\"k\":\"v\u0001\"}"));
        var at = Array.IndexOf(utf8, (byte)1);
        byte[] invalid = [.. utf8[..at], 0xff, 0xc0, 0x80, .. utf8[(at + 1)..]];
        var invalidDocument = (byte[])invalid.Clone();
        invalidDocument[0] = 0xfe; // not even a JSON document
        var copyBomb = "[" + string.Join(",", Enumerable.Range(0, 64).Select(i => $"{{\"op\":\"copy\",\"from\":\"\",\"path\":\"/c{i}\"}}")) + "]";
        return
        [
            ("alias bomb", HttpMethod.Post, collection, "application/yaml", Encoding.UTF8.GetBytes(HostileBodies.AliasBomb("flood-bomb"))),
            ("deep JSON", HttpMethod.Post, collection, "application/json", Encoding.UTF8.GetBytes(HostileBodies.DeepJson("flood-deep", 100_000))),
            ("deep YAML", HttpMethod.Post, collection, "application/yaml", Encoding.UTF8.GetBytes(HostileBodies.DeepYaml("flood-deep", 100_000))),
            ("4 MiB body", HttpMethod.Post, collection, "application/json", Encoding.UTF8.GetBytes(HostileGenerators.ConfigMapJson("flood-huge", "{\"k\":\"" + new string('x', 4 * 1024 * 1024) + "\"}"))),
            ("invalid UTF-8 document", HttpMethod.Post, collection, "application/json", invalidDocument),
            ("repeated keys, strict", HttpMethod.Post, collection + "?fieldValidation=Strict", "application/json",
                Encoding.UTF8.GetBytes("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"flood-a\",\"name\":\"flood-b\"}}")),
            ("copy bomb patch", HttpMethod.Patch, collection + "/flood-none", "application/json-patch+json", Encoding.UTF8.GetBytes(copyBomb)),
            ("wrong kind", HttpMethod.Post, collection, "application/json",
                Encoding.UTF8.GetBytes("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"flood-pod\"}}")),
        ];
    }

    /// <summary>Runs <paramref name="workers"/> workers until each sent <paramref name="requestsPerWorker"/> requests or <paramref name="stop"/> fires.</summary>
    public Task Run(int workers, int requestsPerWorker, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < requestsPerWorker && !stop.IsCancellationRequested; i++)
            {
                var (shape, method, path, contentType, body) = Shapes[(worker + i) % Shapes.Count];
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                try
                {
                    using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = content }, CancellationToken.None);
                    _answers.Add((shape, (int)response.StatusCode));
                }
                catch (HttpRequestException)
                {
                    // Kestrel may close the connection on a body over the limit before the client finished sending it.
                    _answers.Add((shape, 0));
                }
            }
        })));
}
