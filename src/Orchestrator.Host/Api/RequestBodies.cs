using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Serialization;

namespace Orchestrator.Host.Api;

/// <summary>An object read from a request body, and the fields it gave twice (their last value kept).</summary>
internal sealed record DecodedObject(JsonObject Object, IReadOnlyList<DuplicateField> Duplicates);

/// <summary>
/// Reads request bodies (objects in JSON or YAML, patches, DeleteOptions) under the node's
/// <see cref="DecodeLimits"/> (<c>orchestrator.api.decoding</c>): a body beyond a limit, malformed, or
/// of the wrong shape is answered 400 with a Status naming the problem, before anything else runs.
/// The body's size is bounded before this by Kestrel (<c>orchestrator.api.max-body-bytes</c>, 413), and
/// the time it may take to arrive by <paramref name="maxReadTime"/> (<c>decoding.max-read-time</c>): a
/// client trickling or stalling its body is answered 408 with a Status naming the limit once that
/// passes (or once Kestrel finds it below its minimum data rate, 240 bytes/s after 5 s), so it holds
/// neither the request nor a thread for longer. Decoding itself is bounded by the limits, not by time.
/// </summary>
internal sealed class RequestBodies(DecodeLimits limits, TimeSpan maxReadTime)
{
    /// <summary>The default of <c>decoding.max-read-time</c>.</summary>
    public static readonly TimeSpan DefaultMaxReadTime = TimeSpan.FromSeconds(20);

    public RequestBodies(DecodeLimits limits) : this(limits, DefaultMaxReadTime)
    {
    }

    public DecodeLimits Limits => limits;

    public TimeSpan MaxReadTime => maxReadTime;

    /// <summary>Reads <c>orchestrator.api.decoding</c>; a bad value stops the node at start with the key named.</summary>
    public static RequestBodies From(Akka.Configuration.Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var section = config.GetConfig("orchestrator.api.decoding");
        try
        {
            return new RequestBodies(new DecodeLimits(
                section.GetInt("max-depth"),
                section.GetInt("max-documents"),
                section.GetInt("max-string-length"),
                section.GetInt("max-collection-items"),
                section.GetInt("max-values")).Validated(), ReadTime(section));
        }
        catch (ArgumentException e)
        {
            throw new Akka.Configuration.ConfigurationException("orchestrator.api." + e.Message);
        }
    }

    private static TimeSpan ReadTime(Akka.Configuration.Config section)
    {
        var time = section.GetTimeSpan("max-read-time", DefaultMaxReadTime, allowInfinite: false);
        return time > TimeSpan.Zero ? time : throw new ArgumentException($"decoding.max-read-time must be a positive duration, not {time}");
    }

    /// <summary>The object of a create, update or subresource request.</summary>
    public async Task<DecodedObject> ReadObject(HttpContext http)
    {
        var contentType = http.Request.ContentType ?? "application/json";
        var yaml = contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase);
        if (!yaml && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            throw new ApiErrorException(ApiError.UnsupportedMediaType(contentType));
        var body = await ReadText(http);
        if (string.IsNullOrWhiteSpace(body)) throw new ApiErrorException(ApiError.BadRequest("the request body is empty"));
        return Decode(() =>
        {
            if (yaml)
            {
                var decoded = YamlJson.Decode(body, limits);
                return new DecodedObject(YamlJson.SingleObject(decoded.Documents), decoded.Duplicates);
            }
            var json = BoundedJson.Decode(body, limits);
            return json.Root is JsonObject obj
                ? new DecodedObject(obj, json.Duplicates)
                : throw new ApiErrorException(ApiError.BadRequest("the request body must be a JSON object"));
        }, "the request body");
    }

    /// <summary>The patch of a PATCH request: its type from the content type, its body as JSON of the shape the type needs.</summary>
    public async Task<(PatchType Type, JsonNode Patch, IReadOnlyList<DuplicateField> Duplicates)> ReadPatch(HttpContext http)
    {
        var contentType = http.Request.ContentType ?? "";
        var type = contentType switch
        {
            _ when contentType.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase) => PatchType.Merge,
            _ when contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.OrdinalIgnoreCase) => PatchType.Strategic,
            _ when contentType.StartsWith("application/json-patch+json", StringComparison.OrdinalIgnoreCase) => PatchType.Json,
            _ when contentType.StartsWith("application/apply-patch", StringComparison.OrdinalIgnoreCase) =>
                throw new ApiErrorException(new ApiError(415, "UnsupportedMediaType", "server-side apply is not supported yet: use client-side `kubectl apply` (the default)")),
            _ => throw new ApiErrorException(ApiError.UnsupportedMediaType(contentType)),
        };
        var body = await ReadText(http);
        if (string.IsNullOrWhiteSpace(body)) throw new ApiErrorException(ApiError.BadRequest("the patch is empty"));
        var decoded = Decode(() => BoundedJson.Decode(body, limits), "the patch");
        return (type, decoded.Root) switch
        {
            (PatchType.Json, JsonArray patch) => (type, patch, decoded.Duplicates),
            (PatchType.Json, _) => throw new ApiErrorException(ApiError.BadRequest("a JSON patch must be a JSON array of operations")),
            (_, JsonObject patch) => (type, patch, decoded.Duplicates),
            _ => throw new ApiErrorException(ApiError.BadRequest($"a {(type == PatchType.Merge ? "merge" : "strategic merge")} patch must be a JSON object")),
        };
    }

    /// <summary>The DeleteOptions of a DELETE request, or null without a body.</summary>
    public async Task<JsonObject?> ReadDeleteOptions(HttpContext http)
    {
        var body = await ReadText(http);
        if (string.IsNullOrWhiteSpace(body)) return null;
        var decoded = Decode(() => BoundedJson.Decode(body, limits), "the DeleteOptions body");
        return decoded.Root as JsonObject ?? throw new ApiErrorException(ApiError.BadRequest("the DeleteOptions body must be a JSON object"));
    }

    private static T Decode<T>(Func<T> decode, string what)
    {
        try
        {
            return decode();
        }
        catch (DecodeLimitException e)
        {
            throw new ApiErrorException(ApiError.BadRequest($"{what} is refused: {e.Message.Replace("(limit decoding.", "(limit orchestrator.api.decoding.", StringComparison.Ordinal)}"));
        }
        catch (FormatException e)
        {
            throw new ApiErrorException(ApiError.BadRequest($"{what} is not valid: {e.Message}"));
        }
    }

    private async Task<string> ReadText(HttpContext http)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(maxReadTime);
        try
        {
            // Invalid UTF-8 becomes U+FFFD, as Go's decoders do.
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            return await reader.ReadToEndAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            throw new ApiErrorException(BodyTimeout($"the request body did not arrive within {maxReadTime.TotalSeconds:0.###} s (limit orchestrator.api.decoding.max-read-time)"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            throw new ApiErrorException(BodyTimeout($"the request body arrived too slowly: {e.Message}"));
        }
    }

    private static ApiError BodyTimeout(string message) => new(StatusCodes.Status408RequestTimeout, "Timeout", message);
}
